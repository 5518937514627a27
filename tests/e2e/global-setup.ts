import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHROMIUM } from './support/browser.ts';
import { ensureDashboardBuilt } from './support/build-dashboard.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Vitest global setup for the e2e tier: Debian's Chromium through the project's own script
 * when it is missing (so `npm ci && npm test` needs nothing installed by hand), then the
 * dashboard, built once if dist is missing or stale.
 */
export default function setup(): void {
  if (!existsSync(CHROMIUM) && !process.env.CHROMIUM_PATH) {
    console.log(`[e2e] ${CHROMIUM} is missing: running deploy/scripts/install-chromium.sh`);
    try {
      execFileSync('bash', ['deploy/scripts/install-chromium.sh'], { cwd: ROOT, stdio: 'inherit' });
    } catch {
      throw new Error(
        "e2e tests need Chromium: deploy/scripts/install-chromium.sh could not install it (apt-get as root); install Debian's chromium or set CHROMIUM_PATH",
      );
    }
  }
  ensureDashboardBuilt();
}
