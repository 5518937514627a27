import type { DeviceStatusUpdate, RegionPath } from '@gridwatch/devices';
import type { FastifyBaseLogger } from 'fastify';
import type { DeviceStatusChange } from '../infra/bus.ts';

/**
 * Device status changes come in bursts (a whole fleet reconnecting): they are gathered for
 * `flushMs`, each device's region path looked up in the registry's directory (a device it
 * does not hold yet is read from the table once), and sent on.
 */
export class DeviceStatusRelay {
  private pending: DeviceStatusChange[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly deps: {
      /** The device registry. */
      devices: {
        directory: { get(id: string): { path: RegionPath } | undefined };
        ensureKnown(ids: readonly string[]): Promise<void>;
      };
      log: FastifyBaseLogger;
      send: (path: RegionPath, update: DeviceStatusUpdate) => void;
      /** @default 200 */
      flushMs?: number;
      /** Oldest changes are dropped past this. @default 50000 */
      maxPending?: number;
    },
  ) {}

  push(change: DeviceStatusChange): void {
    if (this.stopped) return;
    this.pending.push(change);
    if (this.pending.length > (this.deps.maxPending ?? 50_000)) this.pending.shift();
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((err) => this.deps.log.error({ err }, 'device status relay failed'));
    }, this.deps.flushMs ?? 200);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.pending = [];
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const { directory, ensureKnown } = this.deps.devices;
    await ensureKnown(batch.map((c) => c.deviceId));
    if (this.stopped) return;
    for (const change of batch) {
      const path = directory.get(change.deviceId)?.path;
      if (!path) continue;
      this.deps.send(path, {
        deviceId: change.deviceId,
        online: change.online,
        at: new Date(change.at).toISOString(),
      });
    }
  }
}
