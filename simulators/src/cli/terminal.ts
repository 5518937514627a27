import type { Alert } from '@gridwatch/devices';
import { CAUSE_LABELS, SEVERITY_LABELS } from '@gridwatch/devices';
import type { FleetCounts } from '../runner/fleet-runner.ts';

/** A status line rewritten in place on a terminal, printed now and then when piped. */
export class StatusLine {
  private last = '';
  private lastPrintedAt = 0;
  constructor(
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly pipedEveryMs = 30_000,
  ) {}

  update(text: string): void {
    if (this.out.isTTY) {
      const width = this.out.columns ?? 120;
      this.out.write(`\r\x1b[2K${text.slice(0, width - 1)}`);
      this.last = text;
    } else if (Date.now() - this.lastPrintedAt >= this.pipedEveryMs) {
      this.lastPrintedAt = Date.now();
      this.out.write(`${text}\n`);
    }
  }

  /** Prints a line above the status line. */
  log(text: string): void {
    if (this.out.isTTY)
      this.out.write(`\r\x1b[2K${text}\n${this.last.slice(0, (this.out.columns ?? 120) - 1)}`);
    else this.out.write(`${text}\n`);
  }

  end(): void {
    if (this.out.isTTY && this.last) this.out.write('\n');
    this.last = '';
  }
}

const TZ = 'Asia/Shanghai';
export function shanghaiTime(ms: number): string {
  return new Date(ms).toLocaleString('zh-CN', { timeZone: TZ, hour12: false });
}

/** `connected 3969/3971 · telemetry 12,345 (158/s) · …`, rates from the previous call. */
export function countsText(c: FleetCounts, perSecond: number, simNow: number, speed: number): string {
  if (c.devices === 0) return 'starting the fleet…';
  const parts = [
    `已连接 connected ${c.connected}/${c.devices}`,
    `telemetry ${c.telemetry.toLocaleString('en')} (${Math.round(perSecond)}/s)`,
    `events ${c.events}`,
    `faults ${c.faults}`,
  ];
  if (c.down) parts.push(`down ${c.down}`);
  if (c.inFlight > 100) parts.push(`in flight ${c.inFlight}`);
  if (c.skipped) parts.push(`skipped ${c.skipped}`);
  if (c.errors) parts.push(`errors ${c.errors}`);
  if (c.refused) parts.push(`拒绝 refused by the broker ${c.refused}`);
  if (c.mqtt311) parts.push(`MQTT 3.1.1 ${c.mqtt311}`);
  parts.push(`${shanghaiTime(simNow)}${speed !== 1 ? ` ×${speed}` : ''}`);
  return parts.join(' · ');
}

export function alertText(a: Alert): string {
  const sev = SEVERITY_LABELS[a.severity];
  const cause = CAUSE_LABELS[a.cause];
  return `${a.severity === 'critical' ? '🔴' : a.severity === 'major' ? '🟠' : a.severity === 'minor' ? '🟡' : '🔵'} ${sev['zh-CN']} ${cause?.['zh-CN'] ?? a.cause} · ${a.deviceIds.join(', ')} · ${a.path.grid ?? ''} (${cause?.en ?? a.cause})`;
}

/**
 * Waits for Ctrl-C (or SIGTERM) or `ms`. A second Ctrl-C, a moment later, exits at once; the
 * copies npm and tsx forward of the first one arrive within milliseconds and are ignored.
 */
export function untilInterrupted(ms?: number): Promise<string> {
  return new Promise((resolve) => {
    const timer = ms ? setTimeout(() => finish('duration reached'), ms) : undefined;
    function finish(why: string) {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      const firstAt = Date.now();
      process.on('SIGINT', () => {
        if (Date.now() - firstAt < 3000) return;
        console.error('second Ctrl-C: exiting now');
        process.exit(130);
      });
      resolve(why);
    }
    const onInt = () => finish('interrupted');
    const onTerm = () => finish('terminated');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}

/** Messages a second over the last few seconds, from cumulative counts. */
export class RateMeter {
  private readonly samples: Array<[number, number]> = [];
  constructor(private readonly windowMs = 10_000) {}
  add(count: number, at = Date.now()): number {
    this.samples.push([at, count]);
    while (this.samples.length > 2 && at - this.samples[0]![0] > this.windowMs) this.samples.shift();
    const [t0, c0] = this.samples[0]!;
    return at > t0 ? ((count - c0) * 1000) / (at - t0) : 0;
  }
}
