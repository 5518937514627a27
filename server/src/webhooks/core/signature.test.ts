import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from './signature.ts';

const secret = 'a-target-secret';
const body = JSON.stringify({ event: 'case.outcome', data: { caseId: 'C-1', result: '已办结' } });
const ts = 1_796_000_000;

describe('signWebhook', () => {
  it('is v1= and the hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    const mac = createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
    expect(signWebhook(secret, ts, body)).toBe(`v1=${mac}`);
  });
  it('changes with the body, the timestamp and the secret', () => {
    const sig = signWebhook(secret, ts, body);
    expect(signWebhook(secret, ts, `${body} `)).not.toBe(sig);
    expect(signWebhook(secret, ts + 1, body)).not.toBe(sig);
    expect(signWebhook('another', ts, body)).not.toBe(sig);
  });
});

describe('verifyWebhook', () => {
  const good = {
    secret,
    body,
    timestamp: String(ts),
    signature: signWebhook(secret, ts, body),
    nowMs: ts * 1000,
  };

  it('accepts what was signed, as a string or raw bytes', () => {
    expect(verifyWebhook(good)).toEqual({ ok: true });
    expect(verifyWebhook({ ...good, body: Buffer.from(body) })).toEqual({ ok: true });
  });
  it('accepts a list where one signature matches (secret rotation)', () => {
    expect(verifyWebhook({ ...good, signature: `v1=00, ${good.signature}` })).toEqual({ ok: true });
  });
  it.each([
    ['a changed body', { body: body.replace('C-1', 'C-2') }, 'signature mismatch'],
    ['another secret', { secret: 'wrong' }, 'signature mismatch'],
    ['no signature', { signature: undefined }, 'missing signature'],
    ['a truncated signature', { signature: good.signature.slice(0, 20) }, 'signature mismatch'],
    ['no timestamp', { timestamp: undefined }, 'missing or malformed timestamp'],
    ['a malformed timestamp', { timestamp: '12ab' }, 'missing or malformed timestamp'],
    ['a stale timestamp', { nowMs: (ts + 301) * 1000 }, 'timestamp outside the tolerance'],
    ['a future timestamp', { nowMs: (ts - 301) * 1000 }, 'timestamp outside the tolerance'],
  ])('refuses %s', (_what, change, reason) => {
    expect(verifyWebhook({ ...good, ...change })).toEqual({ ok: false, reason });
  });
  it('takes a custom tolerance', () => {
    expect(verifyWebhook({ ...good, nowMs: (ts + 301) * 1000, toleranceS: 600 })).toEqual({ ok: true });
  });
});
