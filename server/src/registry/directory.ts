import type { DeviceKind, RegionPath } from '@gridwatch/devices';

/** What every domain needs to know of a device, without asking the database. */
export interface DirectoryEntry {
  id: string;
  kind: DeviceKind;
  name: string;
  site: string | null;
  lon: number | null;
  lat: number | null;
  /** The grid the device stands in (`path.grid`); null outside every grid. */
  gridId: string | null;
  path: RegionPath;
}

/**
 * The device registry's in-memory directory: id → kind, site, grid, region path. Ingest,
 * detection, alerts and realtime read it; only the registry writes it, in place, in the
 * same step that writes the `devices` table, so a device imported a moment ago is known
 * at once. Reads are synchronous map lookups (the hot path of every reading).
 */
export class DeviceDirectory {
  private readonly entries = new Map<string, DirectoryEntry>();

  get(id: string): DirectoryEntry | undefined {
    return this.entries.get(id);
  }

  get size(): number {
    return this.entries.size;
  }

  values(): IterableIterator<DirectoryEntry> {
    return this.entries.values();
  }

  /** Adds or replaces these entries. */
  put(entries: Iterable<DirectoryEntry>): void {
    for (const e of entries) this.entries.set(e.id, e);
  }

  /** Moves a device to another region path. */
  place(id: string, path: RegionPath): void {
    const e = this.entries.get(id);
    if (e) this.entries.set(id, { ...e, path, gridId: path.grid });
  }

  /** Becomes exactly `entries` (a full load): devices no longer stored are dropped. */
  replaceAll(entries: Iterable<DirectoryEntry>): void {
    const seen = new Set<string>();
    for (const e of entries) {
      this.entries.set(e.id, e);
      seen.add(e.id);
    }
    for (const id of this.entries.keys()) if (!seen.has(id)) this.entries.delete(id);
  }
}
