import { type ChildProcess, fork } from 'node:child_process';
import type { BareSubscriberConfig, BareSubscriberMessage } from '../bare-subscriber.ts';
import type { LoadGenConfig, LoadGenMessage } from '../load-gen.ts';
import { stopChild } from './server-child.ts';
import { REPO_ROOT } from './services.ts';

/** A forked helper process speaking typed IPC messages. */
export class Child<M extends { type: string }> {
  private readonly listeners = new Set<(m: M) => void>();
  private readonly errors: string[] = [];

  constructor(readonly proc: ChildProcess) {
    proc.on('message', (m) => {
      const msg = m as M;
      if (msg.type === 'error') this.errors.push((msg as unknown as { message: string }).message);
      for (const l of this.listeners) l(msg);
    });
    proc.stderr?.on('data', (d: Buffer) => process.stderr.write(d));
  }

  on(listener: (m: M) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first message of `type`; rejects when the child reports an error or exits. */
  next<T extends M['type']>(type: T, timeoutMs = 300_000): Promise<Extract<M, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => done(new Error(`no "${type}" from child in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onExit = (code: number | null) =>
        done(new Error(`child exited (${code}): ${this.errors.join('; ')}`));
      const off = this.on((m) => {
        if (m.type === type) done(undefined, m as Extract<M, { type: T }>);
        else if (m.type === 'error') done(new Error((m as unknown as { message: string }).message));
      });
      const done = (err?: Error, value?: Extract<M, { type: T }>) => {
        clearTimeout(timer);
        off();
        this.proc.off('exit', onExit);
        if (err) reject(err);
        else resolve(value!);
      };
      this.proc.once('exit', onExit);
    });
  }

  send(message: { cmd: string }): void {
    if (this.proc.connected) this.proc.send(message);
  }

  /** Asks the child to close cleanly, then makes sure it is gone. */
  async close(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    if (this.proc.connected) {
      this.send({ cmd: 'close' });
      await this.next('closed', 30_000).catch(() => {});
    }
    await stopChild(this.proc, 5_000);
  }
}

function forkTs(file: string, env: Record<string, string>): ChildProcess {
  return fork(`${REPO_ROOT}tests/bench/${file}`, [], {
    cwd: REPO_ROOT,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
}

export function forkLoadGen(cfg: LoadGenConfig): Child<LoadGenMessage> {
  return new Child(forkTs('load-gen.ts', { GW_LOAD_CONFIG: JSON.stringify(cfg) }));
}

export function forkBareSubscriber(cfg: BareSubscriberConfig): Child<BareSubscriberMessage> {
  return new Child(forkTs('bare-subscriber.ts', { GW_SUBSCRIBER_CONFIG: JSON.stringify(cfg) }));
}
