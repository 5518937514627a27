import type { WebhookTarget } from '../service.ts';

/**
 * `WEBHOOK_TARGETS`: a JSON object of target name → `{ "url": "...", "secret": "..." }`,
 * e.g. `{"hotline-12345":{"url":"https://12345.example/gridwatch","secret":"…"}}`. Errors
 * name the target, never the secret.
 */
export function parseTargets(json: string | undefined): Map<string, WebhookTarget> {
  const out = new Map<string, WebhookTarget>();
  if (!json) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('expected an object of name → { url, secret }');
  }
  for (const [name, value] of Object.entries(parsed)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
      throw new Error(`target name ${JSON.stringify(name)} is invalid`);
    const { url, secret } = (value ?? {}) as { url?: unknown; secret?: unknown };
    if (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/.test(url))
      throw new Error(`${name}.url: expected an http(s) URL`);
    try {
      new URL(url);
    } catch {
      throw new Error(`${name}.url: expected an http(s) URL`);
    }
    if (typeof secret !== 'string' || secret.length < 16)
      throw new Error(`${name}.secret: at least 16 characters`);
    out.set(name, { url, secret });
  }
  return out;
}
