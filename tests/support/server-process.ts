import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { embeddedDatabaseUrl } from '../../server/src/infra/embedded/database.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A port free right now (the OS picks it), for a server that must keep its port across restarts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  /** `http://127.0.0.1:port`, the same across restarts. */
  readonly url: string;
  readonly env: Record<string, string>;
  /** Database the server writes to (the embedded one is reachable while the process runs). */
  readonly databaseUrl: string;
  /** Broker the server reads from (the embedded one lives and dies with the process). */
  readonly mqttUrl: string;
  /** Starts (or restarts) the process and waits until /readyz answers 200. */
  start(): Promise<void>;
  /** SIGKILL: no shutdown hook runs. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM: a graceful shutdown. Resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  readonly running: boolean;
  /** Process id while running. */
  readonly pid: number | undefined;
  /** The last lines the process printed, for failure messages. */
  output(): string;
}

/**
 * Runs `server/src/main.ts` as a child process with `env` (from `testServerEnv`). Ports are
 * fixed up front (HTTP, and for the embedded broker its MQTT port) so a restart comes back
 * where clients expect it; the embedded database is the Unix socket in its DATA_DIR.
 */
export async function serverProcess(env: Record<string, string>): Promise<ServerProcess> {
  const fixed: Record<string, string> = { ...env, HOST: '127.0.0.1', PORT: String(await freePort()) };
  if (!fixed.MQTT_URL) fixed.EMBEDDED_MQTT_PORT = String(await freePort());
  const url = `http://127.0.0.1:${fixed.PORT}`;
  const databaseUrl = fixed.DATABASE_URL ?? embeddedDatabaseUrl(fixed.DATA_DIR!);
  const mqttUrl = fixed.MQTT_URL ?? `mqtt://127.0.0.1:${fixed.EMBEDDED_MQTT_PORT}`;

  let child: ChildProcess | null = null;
  let exited: Promise<number | null> = Promise.resolve(null);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };

  const waitReady = async (proc: ChildProcess) => {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(
          `server exited during start (${proc.exitCode ?? proc.signalCode}):\n${lines.slice(-30).join('\n')}`,
        );
      }
      try {
        const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`server not ready after 90 s:\n${lines.slice(-30).join('\n')}`);
  };

  const handle: ServerProcess = {
    url,
    env: fixed,
    databaseUrl,
    mqttUrl,
    get running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
    get pid() {
      return handle.running ? child!.pid : undefined;
    },
    async start() {
      if (handle.running) throw new Error('server process already running');
      const proc = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...fixed },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      proc.stdout?.on('data', keep);
      proc.stderr?.on('data', keep);
      exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
      await waitReady(proc);
    },
    async kill() {
      if (!handle.running) return;
      child!.kill('SIGKILL');
      await exited;
    },
    async stop(timeoutMs = 60_000) {
      if (!handle.running) return exited;
      child!.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    output: () => lines.slice(-40).join('\n'),
  };
  return handle;
}
