import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.ts';

describe('parseCsv', () => {
  it.each([
    [
      'plain',
      'a,b\n1,2\n',
      [
        { line: 1, fields: ['a', 'b'] },
        { line: 2, fields: ['1', '2'] },
      ],
    ],
    [
      'CRLF and no final newline',
      'a,b\r\n1,2',
      [
        { line: 1, fields: ['a', 'b'] },
        { line: 2, fields: ['1', '2'] },
      ],
    ],
    [
      'BOM dropped',
      '\ufeffid\nx',
      [
        { line: 1, fields: ['id'] },
        { line: 2, fields: ['x'] },
      ],
    ],
    [
      'blank lines skipped, lines counted',
      'a\n\n\nb\n',
      [
        { line: 1, fields: ['a'] },
        { line: 4, fields: ['b'] },
      ],
    ],
    ['quoted comma and quote', 'a,"b,""c"""\n', [{ line: 1, fields: ['a', 'b,"c"'] }]],
    [
      'quoted newline keeps the next record on its physical line',
      '"x\ny",1\nz,2\n',
      [
        { line: 1, fields: ['x\ny', '1'] },
        { line: 3, fields: ['z', '2'] },
      ],
    ],
    ['empty fields', ',,\n', [{ line: 1, fields: ['', '', ''] }]],
    ['empty quoted field', '""\n', [{ line: 1, fields: [''] }]],
  ])('%s', (_name, input, records) => {
    expect(parseCsv(input)).toEqual({ records, error: null });
  });

  it('names the line of an unclosed quote', () => {
    expect(parseCsv('a\n"b,c\nd').error).toBe('line 2: quoted field is never closed');
  });
});
