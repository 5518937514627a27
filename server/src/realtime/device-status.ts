import type { DeviceStatusUpdate, RegionPath } from '@gridwatch/devices';
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { DeviceStatusChange } from '../infra/bus.ts';

/**
 * Device status changes come in bursts (a whole fleet reconnecting): they are gathered for
 * `flushMs`, their devices' region paths read in one query (then cached until the device
 * list changes), and sent on.
 */
export class DeviceStatusRelay {
  private pending: DeviceStatusChange[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly paths = new Map<string, RegionPath | null>();
  private stopped = false;

  constructor(
    private readonly deps: {
      db: pg.Pool;
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

  /** The device list changed: region paths may have moved. */
  invalidate(): void {
    this.paths.clear();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.pending = [];
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const missing = [...new Set(batch.map((c) => c.deviceId).filter((id) => !this.paths.has(id)))];
    if (missing.length > 0) {
      const { rows } = await this.deps.db.query<{
        id: string;
        district_id: string | null;
        street_id: string | null;
        community_id: string | null;
        grid_id: string | null;
      }>('SELECT id, district_id, street_id, community_id, grid_id FROM devices WHERE id = ANY($1::text[])', [
        missing,
      ]);
      for (const id of missing) this.paths.set(id, null);
      for (const r of rows) {
        this.paths.set(r.id, {
          district: r.district_id,
          street: r.street_id,
          community: r.community_id,
          grid: r.grid_id,
        });
      }
    }
    if (this.stopped) return;
    for (const change of batch) {
      const path = this.paths.get(change.deviceId);
      if (!path) continue;
      this.deps.send(path, {
        deviceId: change.deviceId,
        online: change.online,
        at: new Date(change.at).toISOString(),
      });
    }
  }
}
