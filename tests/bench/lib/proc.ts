import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces; fields restart after the closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size in bytes, from /proc/<pid>/status. */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Samples a process's CPU use and RSS; `stop()` gives average cores used and peak RSS. */
export function sampleProcess(pid: number, everyMs = 1000) {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  let peakRss = rssBytes(pid);
  const rss: number[] = [];
  const timer = setInterval(() => {
    const r = rssBytes(pid);
    if (Number.isFinite(r)) {
      rss.push(r);
      peakRss = Math.max(peakRss, r);
    }
  }, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const seconds = (performance.now() - t0) / 1000;
      const cpu = cpuSeconds(pid) - cpu0;
      return { cores: cpu / seconds, cpuSeconds: cpu, peakRss, lastRss: rss.at(-1) ?? peakRss };
    },
  };
}

/** CPU seconds used so far by each live process, with its command name. */
export function cpuByProcess(): Map<number, { comm: string; seconds: number }> {
  const out = new Map<number, { comm: string; seconds: number }>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return out;
  }
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(pid), { comm, seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS });
    } catch {}
  }
  return out;
}

/**
 * Cores used per command name between two `cpuByProcess()` snapshots, busiest first.
 * Per process, so processes ending in between do not make a command's total go down;
 * a process started in between counts from zero.
 */
export function cpuDelta(
  before: Map<number, { comm: string; seconds: number }>,
  after: Map<number, { comm: string; seconds: number }>,
  seconds: number,
) {
  const byComm = new Map<string, number>();
  for (const [pid, a] of after) {
    const b = before.get(pid);
    const used = b && b.comm === a.comm ? a.seconds - b.seconds : a.seconds;
    byComm.set(a.comm, (byComm.get(a.comm) ?? 0) + used);
  }
  return [...byComm]
    .map(([comm, s]) => [comm, s / seconds] as const)
    .filter(([, c]) => c > 0.01)
    .sort((a, b) => b[1] - a[1]);
}

/** Whole-machine busy share from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}
