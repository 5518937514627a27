import { describe, expect, it } from 'vitest';
import { SAFE_NAME_MAX, safeFileName } from './safe-name.ts';

describe('safeFileName', () => {
  it.each([
    ['photo.jpg', 'photo.jpg'],
    ['现场照片 1.jpeg', '现场照片 1.jpeg'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\win.ini', 'win.ini'],
    ['/absolute/path/x.png', 'x.png'],
    ['a\u0000b.jpg', 'ab.jpg'],
    ['line\r\nbreak.jpg', 'linebreak.jpg'],
    ['invoice\u202egpj.exe', 'invoicegpj.exe'],
    ['\u2066iso\u2069late.png', 'isolate.png'],
    ['zero\u200bwidth.png', 'zerowidth.png'],
    ['quote"semi;colon.jpg', 'quote_semi;colon.jpg'],
    ['..', 'file'],
    ['', 'file'],
    ['   ', 'file'],
    ['.htaccess', 'htaccess'],
    ['name. ', 'name'],
  ])('%j → %j', (raw, safe) => {
    expect(safeFileName(raw)).toBe(safe);
  });

  it('treats a missing name as the fallback', () => {
    expect(safeFileName(undefined)).toBe('file');
    expect(safeFileName(null, 'upload')).toBe('upload');
  });

  it('cuts very long names but keeps a short extension', () => {
    const long = `${'长'.repeat(500)}.jpeg`;
    const safe = safeFileName(long);
    expect([...safe]).toHaveLength(SAFE_NAME_MAX);
    expect(safe.endsWith('长.jpeg')).toBe(true);
  });

  it('leaves no control or bidi character in any input', () => {
    let all = '';
    for (let c = 0; c < 0x3000; c++) all += String.fromCodePoint(c);
    const safe = safeFileName(all.repeat(1));
    const bad = [...safe].filter((ch) => {
      const c = ch.codePointAt(0)!;
      return (
        c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
      );
    });
    expect(bad).toEqual([]);
    expect(safe).not.toMatch(/[/\\]/);
    expect(safe.length).toBeGreaterThan(0);
  });
});
