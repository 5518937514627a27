import { describe, expect, it } from 'vitest';
import { checkBodyType, DEFAULT_BODY_TYPES } from './body-types.ts';

describe('checkBodyType', () => {
  const csvOrJson = ['application/json', 'text/csv'];

  it.each([
    ['JSON', 'application/json', true, DEFAULT_BODY_TYPES],
    ['JSON with a charset', 'application/json; charset=utf-8', true, DEFAULT_BODY_TYPES],
    ['JSON in capitals', 'Application/JSON', true, DEFAULT_BODY_TYPES],
    ['no body and no type (logout)', undefined, false, DEFAULT_BODY_TYPES],
    ['CSV where the route documents it', 'text/csv', true, csvOrJson],
  ])('accepts %s', (_what, type, body, consumes) => {
    expect(checkBodyType(type, body, consumes)).toEqual({ ok: true });
  });

  it.each([
    [
      'text/plain (a cross-site form)',
      'text/plain',
      DEFAULT_BODY_TYPES,
      /takes application\/json, not text\/plain/,
    ],
    ['a url-encoded form', 'application/x-www-form-urlencoded', DEFAULT_BODY_TYPES, /not application\/x-www/],
    ['multipart', 'multipart/form-data; boundary=x', DEFAULT_BODY_TYPES, /not multipart\/form-data/],
    ['text/plain where CSV is documented', 'text/plain', csvOrJson, /takes application\/json or text\/csv/],
    ['CSV where only JSON is documented', 'text/csv', DEFAULT_BODY_TYPES, /not text\/csv/],
    ['a body without a type', undefined, DEFAULT_BODY_TYPES, /needs a Content-Type/],
  ])('refuses %s', (_what, type, consumes, reason) => {
    const verdict = checkBodyType(type, true, consumes);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).toMatch(reason);
  });
});
