/**
 * Which origins may change state: the pure rule behind the REST guard and the Socket.IO
 * handshake. A browser names the page that sent a request in `Origin` (every non-GET
 * request and every WebSocket handshake in current browsers), or at least in `Referer`.
 * A page of another site or another port of this host must not act with the officer's
 * cookie, whatever SameSite does.
 */

/** How the caller proved who it is. Only the cookie is sent by a browser on its own. */
export type Credential = 'bearer' | 'cookie' | 'none';

export interface OriginCheck {
  /** The `Origin` header, if any. */
  origin: string | undefined;
  /** The `Referer` header, if any (used only when `Origin` is absent). */
  referer: string | undefined;
  /** The request's own `host[:port]` (Host, or X-Forwarded-Host behind a trusted proxy). */
  host: string | undefined;
  /** Origins allowed besides the centre's own, normalised by {@link parseAllowedOrigins}. */
  allowed: ReadonlySet<string>;
  credential: Credential;
}

export type OriginVerdict = { ok: true } | { ok: false; reason: string };

/** `a, b` → the set of their serialised origins; throws naming the entry that is not an origin. */
export function parseAllowedOrigins(list: string): Set<string> {
  const out = new Set<string>();
  for (const raw of list.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new Error(`"${entry}" is not an origin (expected scheme://host[:port])`);
    }
    const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !bare)
      throw new Error(`"${entry}" is not an origin (expected scheme://host[:port], no path)`);
    out.add(url.origin);
  }
  return out;
}

/** The origin a header names, or null when it names none (`null`, garbage, another scheme). */
function originOf(value: string): URL | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

function sameHost(url: URL, host: string | undefined): boolean {
  if (!host) return false;
  try {
    // Through the same scheme, so `host:443` and `host` compare equal for https.
    return new URL(`${url.protocol}//${host}`).host === url.host;
  } catch {
    return false;
  }
}

/**
 * Whether a state-changing request (or a socket handshake) may go on. Its page's origin must
 * be the centre's own (same host and port as the request) or listed in ALLOWED_ORIGINS. A
 * request naming no page is not from a browser's page: allowed unless it carries only the
 * session cookie, which a browser would add by itself.
 */
export function checkOrigin(check: OriginCheck): OriginVerdict {
  const header = check.origin ?? (check.referer || undefined);
  const source = check.origin !== undefined ? 'Origin' : 'Referer';
  if (header === undefined) {
    if (check.credential === 'cookie')
      return {
        ok: false,
        reason:
          'request with the session cookie but without Origin or Referer refused; non-browser clients send a bearer token',
      };
    return { ok: true };
  }
  const url = originOf(header);
  if (!url)
    return {
      ok: false,
      reason: `cross-origin request refused: ${source} "${header.slice(0, 100)}" names no http(s) origin`,
    };
  if (sameHost(url, check.host) || check.allowed.has(url.origin)) return { ok: true };
  return {
    ok: false,
    reason: `cross-origin request refused: ${source} ${url.origin} is not this centre (${check.host ?? 'no Host'}) nor in ALLOWED_ORIGINS`,
  };
}

/** Methods that change state and so need the check. */
export function isStateChanging(method: string): boolean {
  return method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE';
}
