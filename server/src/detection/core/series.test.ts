import { describe, expect, it } from 'vitest';
import { statParams } from './engine.ts';
import { detectSeries, formatDetectionCsv, parseSeriesCsv, parseTimestamp } from './series.ts';

describe('parseSeriesCsv', () => {
  it.each([
    {
      name: 'wrong header',
      text: 'time,val\n2014-01-01 00:00:00,1\n',
      error: 'x.csv:1: expected header "timestamp,value"',
    },
    { name: 'empty file', text: '', error: 'x.csv:1: expected header' },
    { name: 'no rows', text: 'timestamp,value\n', error: 'x.csv: no data rows' },
    {
      name: 'bad value',
      text: 'timestamp,value\n2014-01-01 00:00:00,1\n2014-01-01 00:05:00,abc\n',
      error: 'x.csv:3: bad value "abc"',
    },
    { name: 'empty value', text: 'timestamp,value\n2014-01-01 00:00:00,\n', error: 'x.csv:2: bad value ""' },
    {
      name: 'bad timestamp',
      text: 'timestamp,value\nyesterday,1\n',
      error: 'x.csv:2: bad timestamp "yesterday"',
    },
    {
      name: 'missing comma',
      text: 'timestamp,value\n2014-01-01 00:00:00\n',
      error: 'x.csv:2: expected "timestamp,value"',
    },
  ])('rejects $name with the line number', ({ text, error }) => {
    expect(() => parseSeriesCsv(text, 'x.csv')).toThrow(error);
  });

  it('keeps repeated and earlier timestamps in arrival order and counts the late ones', () => {
    // A clock set back an hour: the hour's timestamps come again.
    const rows = ['timestamp,value'];
    for (let m = 0; m < 120; m += 30)
      rows.push(`2014-01-01 0${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:00,${m}`);
    rows.push(
      '2014-01-01 01:00:00,7',
      '2014-01-01 01:00:00,8',
      '2014-01-01 00:30:00,9',
      '2014-01-01 02:00:00,10',
    );
    const s = parseSeriesCsv(`${rows.join('\n')}\n`, 'x.csv');
    expect(s.labels).toHaveLength(8);
    expect([...s.values]).toEqual([0, 30, 60, 90, 7, 8, 9, 10]);
    // 01:00 after 01:30 twice, 00:30 after them: three late rows; 02:00 is on time again.
    expect(s.late).toBe(3);
  });

  it('reads NAB-style rows, CRLF, a BOM, blank lines and extra columns', () => {
    const s = parseSeriesCsv(
      '\uFEFFtimestamp,value,label\r\n2014-04-01 00:00:00,20.5,x\r\n\r\n2014-04-01 00:05:00,-3,y\r\n',
    );
    expect(s.labels).toEqual(['2014-04-01 00:00:00', '2014-04-01 00:05:00']);
    expect([...s.values]).toEqual([20.5, -3]);
    expect(s.times[1]! - s.times[0]!).toBe(300_000);
  });

  it.each([
    ['2014-04-01 00:00:00', Date.UTC(2014, 3, 1)],
    ['2014-04-01T00:00:00Z', Date.UTC(2014, 3, 1)],
    ['2014-04-01T08:00:00+08:00', Date.UTC(2014, 3, 1)],
    ['1396310400', Date.UTC(2014, 3, 1)],
    ['1396310400000', Date.UTC(2014, 3, 1)],
  ])('timestamp %s', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });
});
