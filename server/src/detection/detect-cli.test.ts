import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statParams } from './core/engine.ts';
import { detectSeries, formatDetectionCsv, parseSeriesCsv } from './core/series.ts';

// Spawning tsx takes seconds on a loaded machine.
describe('detect CLI', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-detect-cli-'));
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'detect-cli.ts'), ...args], {
      encoding: 'utf8',
    });

  it('writes timestamp,value,anomaly_score,alert with alert where the detector raises', () => {
    const rows = ['timestamp,value'];
    const start = Date.UTC(2014, 3, 1);
    for (let i = 0; i < 2000; i++) {
      const ts = new Date(start + i * 300_000).toISOString().replace('T', ' ').slice(0, 19);
      rows.push(`${ts},${50 + Math.sin(i) * 2 + (i === 1500 ? 80 : 0)}`);
    }
    const input = join(dir, 'in.csv');
    const output = join(dir, 'out.csv');
    writeFileSync(input, `${rows.join('\n')}\n`);
    const run = cli(input, output);
    expect(run.status, run.stderr).toBe(0);
    const lines = readFileSync(output, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('timestamp,value,anomaly_score,alert');
    expect(lines).toHaveLength(2001);
    const alerts = lines.slice(1).flatMap((l, i) => (l.endsWith(',1') ? [i] : []));
    expect(alerts).toEqual([1500]);
    const series = parseSeriesCsv(readFileSync(input, 'utf8'));
    expect(readFileSync(output, 'utf8')).toBe(
      formatDetectionCsv(series, detectSeries(series, statParams({}))),
    );
  });

  it.each([
    { name: 'no arguments', args: [], status: 2, stderr: 'usage: npm run detect -- IN.csv OUT.csv' },
    {
      name: 'a missing file',
      args: ['/nonexistent/in.csv', join(dir, 'o.csv')],
      status: 1,
      stderr: 'cannot read /nonexistent/in.csv',
    },
  ])('fails clearly on $name', ({ args, status, stderr }) => {
    const run = cli(...args);
    expect(run.status).toBe(status);
    expect(run.stderr).toContain(stderr);
  });

  it('takes a series whose clock went back an hour: every row written, the late ones ignored', () => {
    const rows = ['timestamp,value'];
    const start = Date.UTC(2014, 3, 1);
    const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
    for (let i = 0; i < 600; i++) rows.push(`${stamp(start + i * 300_000)},${50 + Math.sin(i)}`);
    // The same hour again (12 rows), with a spike that would raise if it counted.
    for (let i = 588; i < 600; i++) rows.push(`${stamp(start + i * 300_000)},${i === 590 ? 500 : 50}`);
    const input = join(dir, 'repeated.csv');
    const output = join(dir, 'repeated-out.csv');
    writeFileSync(input, `${rows.join('\n')}\n`);
    const run = cli(input, output);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('11 rows earlier than a row before them kept and ignored');
    const lines = readFileSync(output, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(613);
    // Rows 601–611 are late; the last repeated row carries the same time as the row before the
    // repeat began, so it is an ordinary reading.
    for (const line of lines.slice(601, 612)) expect(line.endsWith(',0,0'), line).toBe(true);
  });

  it('names the bad line', () => {
    const input = join(dir, 'bad.csv');
    writeFileSync(input, 'timestamp,value\n2014-01-01 00:00:00,1\n2014-01-01 00:05:00,oops\n');
    const run = cli(input, join(dir, 'o.csv'));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${input}:3: bad value "oops"`);
  });
});
