import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed webhooks: the receiver can check that a request comes from gridwatch, unaltered
 * and recent. Headers (names lower case on the wire as HTTP/2 and Node give them):
 *
 * - `x-gridwatch-timestamp`: Unix seconds when this attempt was signed;
 * - `x-gridwatch-signature`: `v1=` + hex HMAC-SHA256 over `<timestamp>.<raw body>` with the
 *   target's secret;
 * - `idempotency-key`: the same on every attempt of one message: deduplicate on it;
 * - `x-gridwatch-event`, `x-gridwatch-delivery` (the outbox row id), `x-gridwatch-attempt`.
 */
export const SIGNATURE_HEADER = 'x-gridwatch-signature';
export const TIMESTAMP_HEADER = 'x-gridwatch-timestamp';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const EVENT_HEADER = 'x-gridwatch-event';
export const DELIVERY_HEADER = 'x-gridwatch-delivery';
export const ATTEMPT_HEADER = 'x-gridwatch-attempt';

/** The signature header's value for `body` sent at `timestamp` (Unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return `v1=${mac}`;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/**
 * What a receiver runs on each request, over the raw body bytes as received (not a
 * re-serialised parse). Refuses a timestamp further than `toleranceS` from `now`, which
 * bounds replays; deduplicate on `idempotency-key` for the rest.
 */
export function verifyWebhook(opts: {
  secret: string;
  body: string | Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  /** @default 300 */
  toleranceS?: number;
  /** @default Date.now() */
  nowMs?: number;
}): VerifyResult {
  const { secret, timestamp, signature } = opts;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: 'missing or malformed timestamp' };
  if (!signature) return { ok: false, reason: 'missing signature' };
  const ts = Number(timestamp);
  const skew = Math.abs((opts.nowMs ?? Date.now()) / 1000 - ts);
  if (skew > (opts.toleranceS ?? 300)) return { ok: false, reason: 'timestamp outside the tolerance' };
  const expected = Buffer.from(signWebhook(secret, ts, opts.body.toString()), 'utf8');
  // Several signatures may be sent during a secret rotation: any one matching is enough.
  for (const candidate of signature.split(',').map((s) => s.trim())) {
    const given = Buffer.from(candidate, 'utf8');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: 'signature mismatch' };
}
