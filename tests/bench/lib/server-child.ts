import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './services.ts';

export interface ServerChild {
  url: string;
  pid: number;
  proc: ChildProcess;
  /** The last log lines, for a failure report. */
  tail(): string[];
  stop(): Promise<number | null>;
}

/**
 * Starts `server/src/main.ts` in its own Node process (so its CPU and memory are its own),
 * on a free port, and waits for its "listening" log line.
 */
export async function startServerChild(
  env: Record<string, string>,
  opts: { execArgv?: string[]; timeoutMs?: number } = {},
): Promise<ServerChild> {
  const proc = spawn(process.execPath, [...(opts.execArgv ?? []), '--import', 'tsx', 'server/src/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, PORT: '0', LOG_LEVEL: env.LOG_LEVEL ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > 200) lines.shift();
  };
  createInterface({ input: proc.stderr! }).on('line', keep);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in time:\n${lines.slice(-20).join('\n')}`)),
      opts.timeoutMs ?? 120_000,
    );
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      keep(line);
      try {
        const rec = JSON.parse(line) as { msg?: string; url?: string };
        if (rec.msg === 'gridwatch listening' && rec.url) {
          clearTimeout(timer);
          resolve(rec.url);
        }
      } catch {}
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${lines.slice(-20).join('\n')}`));
    });
  });
  let stopping = false;
  proc.once('exit', (code, signal) => {
    if (stopping) return;
    // A crash mid-bench explains missing figures: say so with the server's last words.
    console.error(
      `\nserver (pid ${proc.pid}) exited unexpectedly: code ${code}, signal ${signal}; last log lines:`,
    );
    for (const line of lines.slice(-15)) console.error(`  ${line.slice(0, 400)}`);
  });
  return {
    url,
    pid: proc.pid!,
    proc,
    tail: () => [...lines],
    stop: () => {
      stopping = true;
      return stopChild(proc);
    },
  };
}

/** SIGTERM (a graceful shutdown commits what is pending), then SIGKILL after `graceMs`. */
export function stopChild(proc: ChildProcess, graceMs = 20_000): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    proc.kill('SIGTERM');
  });
}
