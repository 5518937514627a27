import type { DeviceKind } from '@gridwatch/devices';
import type pg from 'pg';

/**
 * Device id → kind, loaded from `devices` and reloaded on 'devices-changed'. A miss is not
 * final: the writer asks the database before dead-lettering (another instance may have
 * imported the device), and `learn` adds what it found.
 */
export class DeviceCache {
  private kinds = new Map<string, DeviceKind>();
  private loading: Promise<void> | null = null;
  private again = false;

  constructor(private readonly pool: pg.Pool) {}

  kindOf(id: string): DeviceKind | undefined {
    return this.kinds.get(id);
  }

  learn(devices: Array<{ id: string; kind: DeviceKind }>): void {
    for (const d of devices) this.kinds.set(d.id, d.kind);
  }

  get size(): number {
    return this.kinds.size;
  }

  /** Reloads; a reload asked for while one runs starts again once it ends, so none is missed. */
  reload(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      try {
        do {
          this.again = false;
          const { rows } = await this.pool.query<{ id: string; kind: DeviceKind }>(
            'SELECT id, kind FROM devices',
          );
          this.kinds = new Map(rows.map((r) => [r.id, r.kind]));
        } while (this.again);
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }
}
