import { describe, expect, it } from 'vitest';
import { checkOrigin, type OriginCheck, parseAllowedOrigins } from './origin-policy.ts';

const aCheck = (over: Partial<OriginCheck> = {}): OriginCheck => ({
  origin: undefined,
  referer: undefined,
  host: 'centre.example:8080',
  allowed: new Set(),
  credential: 'cookie',
  ...over,
});

describe('checkOrigin', () => {
  it.each([
    ['its own origin', { origin: 'http://centre.example:8080' }],
    ['its own origin over https', { origin: 'https://centre.example:8080' }],
    ['its own origin, host in another case', { origin: 'http://CENTRE.example:8080' }],
    [
      'the default port written out in Host',
      { origin: 'https://centre.example', host: 'centre.example:443' },
    ],
    ['its own page as Referer when Origin is absent', { referer: 'http://centre.example:8080/console?x=1' }],
    [
      'an origin in ALLOWED_ORIGINS',
      { origin: 'https://wall.example', allowed: parseAllowedOrigins('https://wall.example') },
    ],
    ['a bearer client naming no page', { credential: 'bearer' as const }],
    ['a login naming no page', { credential: 'none' as const }],
  ])('accepts %s', (_what, over) => {
    expect(checkOrigin(aCheck(over))).toEqual({ ok: true });
  });

  it.each([
    ['another site', { origin: 'https://evil.example' }, /Origin https:\/\/evil\.example is not this centre/],
    ['another port of the same host', { origin: 'http://centre.example:9999' }, /not this centre/],
    ['the default port when the centre has its own', { origin: 'http://centre.example' }, /not this centre/],
    ['a null origin (sandboxed frame, file)', { origin: 'null' }, /Origin "null" names no http\(s\) origin/],
    ['another site as Referer', { referer: 'https://evil.example/page' }, /Referer https:\/\/evil\.example/],
    [
      'a foreign Origin even with a bearer token',
      { origin: 'https://evil.example', credential: 'bearer' as const },
      /not this centre/,
    ],
    ['the cookie alone naming no page', {}, /without Origin or Referer/],
    ['a missing Host', { origin: 'http://centre.example:8080', host: undefined }, /no Host/],
  ])('refuses %s', (_what, over, reason) => {
    const verdict = checkOrigin(aCheck(over));
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).toMatch(reason);
  });

  it('trusts Origin over Referer', () => {
    expect(
      checkOrigin(aCheck({ origin: 'https://evil.example', referer: 'http://centre.example:8080/' })).ok,
    ).toBe(false);
  });
});

describe('parseAllowedOrigins', () => {
  it('normalises a comma-separated list', () => {
    expect([...parseAllowedOrigins(' https://a.example , http://B.example:8081/,')]).toEqual([
      'https://a.example',
      'http://b.example:8081',
    ]);
    expect(parseAllowedOrigins('').size).toBe(0);
  });

  it.each(['a.example', 'https://a.example/console', 'ftp://a.example', '*'])('refuses %s', (entry) => {
    expect(() => parseAllowedOrigins(entry)).toThrow(/is not an origin/);
  });
});
