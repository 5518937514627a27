import type { Device } from '@gridwatch/devices';
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { Bus } from '../infra/bus.ts';
import { inTransaction } from '../infra/db/transaction.ts';
import type { RegionService } from '../regions/region-service.ts';
import { DeviceDirectory, type DirectoryEntry } from './directory.ts';
import type { DeviceInput } from './input.ts';
import type { Provisioner, ProvisionSummary } from './provisioning.ts';
import {
  getDevice,
  insertDevice,
  loadEntries,
  placeAllDevices,
  toEntry,
  upsertDevices,
} from './repository.ts';

/** How often the directory is read again whole, for what other instances changed. @default 30000 */
export const DIRECTORY_REFRESH_MS = 30_000;

/** What other domains read of the directory. */
export interface DeviceLookup {
  get(id: string): DirectoryEntry | undefined;
  readonly size: number;
  values(): IterableIterator<DirectoryEntry>;
}

export interface DeviceRegistry {
  /** The in-memory directory, updated in place by every write below. */
  readonly directory: DeviceLookup;
  /** Reads the whole directory from the table. */
  load(): Promise<void>;
  /**
   * Stores (insert or update) and places devices, then provisions them on the broker: what
   * the answer says of their broker accounts (all `pending` when that goes on in the background).
   */
  importDevices(devices: DeviceInput[]): Promise<{ placed: number; provisioning: ProvisionSummary }>;
  /** Registers one device; null when the id is taken. */
  create(input: DeviceInput): Promise<Device | null>;
  /** Places every device again (after a region import). */
  placeAll(): Promise<{ placed: number; unplaced: number; changed: number }>;
  /** Devices another instance stored, found by ingest in the table. */
  learn(entries: readonly DirectoryEntry[]): void;
  /**
   * Makes sure the directory holds these devices if they are stored: a miss is read from
   * the table (another instance may have stored the device a moment ago).
   */
  ensureKnown(ids: readonly string[]): Promise<void>;
}

/**
 * The device registry: the only writer of `devices` (import, registration, placement; the
 * online flag and last-seen through its repository) and the keeper of the directory.
 * 'devices-changed' still goes on the bus, for caches of derived figures (stats).
 */
export function createRegistry(deps: {
  db: pg.Pool;
  regions: RegionService;
  provisioner: Provisioner;
  bus: Bus;
  log: FastifyBaseLogger;
}): DeviceRegistry {
  const { db, regions, provisioner, bus, log } = deps;
  const directory = new DeviceDirectory();
  /** Bumped by every local write, so a full read that overlapped one is not applied over it. */
  let generation = 0;

  const changed = () => {
    generation++;
    bus.emit('devices-changed');
  };

  return {
    directory,

    async load() {
      const started = generation;
      const entries = await loadEntries(db);
      if (generation !== started) return; // a write overlapped: the next refresh applies
      directory.replaceAll(entries);
    },

    async importDevices(devices) {
      const index = await regions.index();
      const placed = devices.map((d) => ({ ...d, path: index.place(d.lon, d.lat) }));
      await inTransaction(db, (tx) => upsertDevices(tx, placed));
      directory.put(
        placed.map((d) =>
          toEntry({
            id: d.id,
            kind: d.kind,
            name: d.name,
            site: d.site,
            lon: d.lon,
            lat: d.lat,
            grid_id: d.path.grid,
            community_id: d.path.community,
            street_id: d.path.street,
            district_id: d.path.district,
          }),
        ),
      );
      changed();
      const provisioning = await provisioner.provision(devices.map((d) => ({ id: d.id, kind: d.kind })));
      return { placed: placed.filter((d) => d.path.grid !== null).length, provisioning };
    },

    async create(input) {
      const path = (await regions.index()).place(input.lon, input.lat);
      if (!(await insertDevice(db, { ...input, path }))) return null;
      const device = await getDevice(db, input.id);
      if (device) {
        directory.put([
          {
            id: device.id,
            kind: device.kind,
            name: device.name,
            site: device.site,
            lon: device.lon,
            lat: device.lat,
            gridId: device.path.grid,
            path: device.path,
          },
        ]);
      }
      changed();
      await provisioner.provision([{ id: input.id, kind: input.kind }]);
      return device;
    },

    async placeAll() {
      const started = Date.now();
      const result = await placeAllDevices(db, await regions.index());
      for (const m of result.moved) directory.place(m.id, m.path);
      changed();
      const summary = { placed: result.placed, unplaced: result.unplaced, changed: result.moved.length };
      log.info({ ...summary, ms: Date.now() - started }, 'devices placed');
      return summary;
    },

    learn(entries) {
      directory.put(entries);
    },

    async ensureKnown(ids) {
      const missing = ids.filter((id) => !directory.get(id));
      if (missing.length > 0) directory.put(await loadEntries(db, [...new Set(missing)]));
    },
  };
}
