import { describe, expect, it } from 'vitest';
import { parseTargets } from './targets.ts';

const secret = 's3cret-s3cret-s3cret';

describe('parseTargets', () => {
  it('reads name → url and secret', () => {
    const targets = parseTargets(
      JSON.stringify({ 'hotline-12345': { url: 'https://h.example/hook', secret } }),
    );
    expect([...targets]).toEqual([['hotline-12345', { url: 'https://h.example/hook', secret }]]);
  });
  it('is empty when unset', () => {
    expect(parseTargets(undefined).size).toBe(0);
  });
  it.each([
    ['{', /not valid JSON/],
    ['[]', /expected an object/],
    [JSON.stringify({ 'bad name': { url: 'https://x.example', secret } }), /target name/],
    [JSON.stringify({ a: { url: 'ftp://x.example', secret } }), /a\.url/],
    [JSON.stringify({ a: { url: 'https://x.example', secret: 'short' } }), /a\.secret/],
  ])('refuses %s without echoing the secret', (json, message) => {
    expect(() => parseTargets(json)).toThrow(message);
    try {
      parseTargets(json);
    } catch (err) {
      expect((err as Error).message).not.toContain(secret);
      expect((err as Error).message).not.toContain('short');
    }
  });
});
