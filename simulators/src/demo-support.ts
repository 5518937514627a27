import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The first port from `start` that is free on 127.0.0.1, skipping `avoid` (the machine's own services). */
export async function freePort(start: number, avoid: number[] = [1883, 5432, 6379]): Promise<number> {
  for (let port = start; port < start + 200; port++) {
    if (avoid.includes(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${start}–${start + 199}`);
}

export function dashboardBuilt(dir = `${ROOT}dashboard/dist`): boolean {
  return existsSync(`${dir}/index.html`);
}

/** `npm run build -w dashboard`, output kept unless it fails. */
export function buildDashboard(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'build', '-w', 'dashboard'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (b: Buffer) => {
      output += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      output += b.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`dashboard build failed (exit ${code}):\n${output.slice(-3000)}`)),
    );
  });
}
