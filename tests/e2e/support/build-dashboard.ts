import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const DASHBOARD = join(ROOT, 'dashboard');
const INDEX = join(DASHBOARD, 'dist', 'index.html');

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

/** Builds the dashboard when dist is missing or older than its sources (or the catalogue it imports). */
export function ensureDashboardBuilt(): void {
  const sources = Math.max(
    newest(join(DASHBOARD, 'src')),
    newest(join(ROOT, 'devices', 'src')),
    statSync(join(DASHBOARD, 'index.html')).mtimeMs,
    statSync(join(DASHBOARD, 'vite.config.ts')).mtimeMs,
  );
  if (existsSync(INDEX) && statSync(INDEX).mtimeMs >= sources) return;
  execFileSync('npm', ['run', 'build', '-w', 'dashboard'], { cwd: ROOT, stdio: 'inherit' });
}
