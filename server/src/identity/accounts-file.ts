import { readFile, rename, writeFile } from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import { type Account, mergeAccounts } from './password-file.ts';

/**
 * The broker's device password file, shared by every server instance (and, on a test
 * machine, by every test server): each write takes a lock beside the file, merges into what
 * is there, and replaces the file in one rename, so the broker never reads half of it.
 */
export async function writeAccounts(
  file: string,
  accounts: Account[],
): Promise<{ changed: string[]; total: number }> {
  const release = await lockfile.lock(file, {
    realpath: false,
    // A server killed while holding the lock leaves it behind: taken over after 20 s.
    stale: 20_000,
    retries: { retries: 200, minTimeout: 20, maxTimeout: 250 },
  });
  try {
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    const merged = mergeAccounts(text, accounts);
    const total = merged.text.split('\n').filter(Boolean).length;
    if (merged.changed.length === 0) return { changed: [], total };
    const tmp = `${file}.${process.pid}.tmp`;
    // Readable by the broker's user where it differs from the server's (containers).
    await writeFile(tmp, merged.text, { mode: 0o644 });
    await rename(tmp, file);
    return { changed: merged.changed, total };
  } finally {
    await release();
  }
}

/**
 * Asks the broker to re-read its password file: SIGHUP to the pid in `pidFile` (same host,
 * same user). Without a pid file something beside the broker must watch the file (the
 * container entrypoint of deploy/mosquitto does).
 */
export async function reloadBroker(pidFile: string | undefined): Promise<boolean> {
  if (!pidFile) return false;
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`no broker pid in ${pidFile}`);
  process.kill(pid, 'SIGHUP');
  return true;
}
