import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashMatches, mergeAccounts, parsePasswordFile, passwordLine } from './password-file.ts';

const salt = (byte: number) => () => Buffer.alloc(12, byte);

describe('passwordLine', () => {
  it("is Mosquitto's $6$ form: base64 12-byte salt, base64 SHA-512 of password then salt", () => {
    const s = Buffer.alloc(12, 7);
    const hash = createHash('sha512').update('secret-pw').update(s).digest('base64');
    expect(passwordLine({ username: 'chg-00001', password: 'secret-pw' }, s)).toBe(
      `chg-00001:$6$${s.toString('base64')}$${hash}`,
    );
  });

  it.each(['a:b', 'a\nb'])('refuses a username that would break the file (%j)', (username) => {
    expect(() => passwordLine({ username, password: 'p' })).toThrow(/cannot be stored/);
  });
});

describe('hashMatches', () => {
  const line = passwordLine({ username: 'u', password: 'right' }).slice(2);
  it.each([
    { password: 'right', hash: line, matches: true },
    { password: 'wrong', hash: line, matches: false },
    { password: 'right', hash: '$7$101$abc$def', matches: false },
    { password: 'right', hash: 'garbage', matches: false },
  ])('$password against $hash → $matches', ({ password, hash, matches }) => {
    expect(hashMatches(hash, password)).toBe(matches);
  });
});

describe('mergeAccounts', () => {
  const a = { username: 'cam-1', password: 'pa' };
  const b = { username: 'cam-2', password: 'pb' };

  it('adds new accounts, one line each, to an empty file', () => {
    const { text, changed } = mergeAccounts('', [a, b], salt(1));
    expect(changed).toEqual(['cam-1', 'cam-2']);
    expect(text).toBe(`${passwordLine(a, salt(1)())}\n${passwordLine(b, salt(1)())}\n`);
  });

  it("keeps other writers' lines and leaves a known account's line alone", () => {
    const first = mergeAccounts('# operator comment\n', [a], salt(1)).text;
    const { text, changed } = mergeAccounts(first, [a, b], salt(2));
    expect(changed).toEqual(['cam-2']);
    expect(parsePasswordFile(text).get('cam-1')).toBe(passwordLine(a, salt(1)()).slice('cam-1:'.length));
    expect([...parsePasswordFile(text).keys()]).toEqual(['cam-1', 'cam-2']);
  });

  it('rewrites the line of an account whose password changed', () => {
    const first = mergeAccounts('', [a], salt(1)).text;
    const { text, changed } = mergeAccounts(first, [{ ...a, password: 'new' }], salt(3));
    expect(changed).toEqual(['cam-1']);
    expect(hashMatches(parsePasswordFile(text).get('cam-1')!, 'new')).toBe(true);
  });

  it('returns the file untouched when nothing changes', () => {
    const first = mergeAccounts('', [a, b], salt(1)).text;
    expect(mergeAccounts(first, [b, a], salt(9))).toEqual({ text: first, changed: [] });
  });
});
