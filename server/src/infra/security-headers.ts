import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

/** Where browsers post what the Content-Security-Policy blocked (see `csp-reports.ts`). */
export const CSP_REPORT_PATH = '/csp-reports';

/**
 * The Content-Security-Policy of every answer, pages and API alike. Everything comes from the
 * centre itself: the dashboard's scripts and styles are files (no inline script, no inline
 * `<style>`), MapLibre's worker is a hashed asset of ours, ECharts draws on canvas, Socket.IO
 * and fetch talk to this origin ('self' covers ws:/wss: of the same host), the alarm is Web
 * Audio (no media file). Styles that Vue, MapLibre and ECharts set from script go through the
 * CSSOM, which style-src does not govern. `data:` images: MapLibre's control icons and the
 * API docs' icons are data: URLs in their stylesheets.
 */
export function cspDirectives(mapStyleUrl: string | undefined): Record<string, string[]> {
  // A map style of the centre's own tile server: it, its tiles, glyphs and sprites come from there.
  const mapSources = mapStyleUrl && URL.canParse(mapStyleUrl) ? [new URL(mapStyleUrl).origin] : [];
  return {
    'default-src': ["'self'"],
    'base-uri': ["'none'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', ...mapSources],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...mapSources],
    'worker-src': ["'self'"],
    'object-src': ["'none'"],
    'frame-src': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    'report-uri': [CSP_REPORT_PATH],
  };
}

/**
 * Browser-side defences on every answer (@fastify/helmet): the CSP above, no framing
 * (frame-ancestors and X-Frame-Options), nosniff, and a Referrer-Policy that keeps the
 * centre's own Origin on its requests (the cross-origin check needs it: with `no-referrer`
 * a browser sends `Origin: null` even to its own origin) while telling other sites nothing.
 */
export default fp(
  async (app) => {
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: cspDirectives(app.config.MAP_STYLE_URL),
      },
      xFrameOptions: { action: 'deny' },
      referrerPolicy: { policy: 'same-origin' },
      // Only honoured over https (a TLS proxy in front); the centre's host has no subdomains of ours.
      strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: false },
      crossOriginEmbedderPolicy: false,
    });
  },
  { name: 'security-headers', dependencies: ['context'] },
);
