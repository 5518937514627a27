import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { UserStore } from '../auth/users.ts';
import { DEFAULT_DEPARTMENTS } from './default-departments.ts';
import { deriveCentres, OrganisationDirectory } from './directory.ts';
import {
  insertMissingUnits,
  loadAssignments,
  loadRegionTree,
  loadShifts,
  loadUnits,
  upsertCentres,
} from './repository.ts';

/** Shifts ended this long ago are not loaded into the directory. */
const SHIFT_HISTORY_MS = 24 * 3_600_000;

/**
 * Keeps the organisation directory: loads it at start, rebuilds it after every change made
 * here, and again every `refreshMs` so changes made by another instance show up. Lookups
 * go to the current snapshot and never wait.
 */
export class OrganisationService {
  private dir = new OrganisationDirectory({ units: [], users: [], regions: [], assignments: [], shifts: [] });
  private timer: NodeJS.Timeout | null = null;
  private loading: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly deps: { db: pg.Pool; users: UserStore; log: FastifyBaseLogger; refreshMs: number },
  ) {}

  get directory(): OrganisationDirectory {
    return this.dir;
  }

  /** Seeds the default departments, derives centres, loads the directory, starts the refresh timer. */
  async start(): Promise<void> {
    const added = await insertMissingUnits(this.deps.db, DEFAULT_DEPARTMENTS);
    if (added > 0) this.deps.log.info({ departments: added }, 'default departments seeded');
    await this.syncCentres();
    this.timer = setInterval(() => {
      this.reload().catch((err) => this.deps.log.error({ err }, 'organisation refresh failed'));
    }, this.deps.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One centre per district, street and community region; then a fresh directory. */
  async syncCentres(): Promise<void> {
    const regions = await loadRegionTree(this.deps.db);
    const added = await upsertCentres(this.deps.db, deriveCentres(regions));
    if (added > 0) this.deps.log.info({ centres: added }, 'centres derived from regions');
    await this.reload();
  }

  /** Rebuilds the directory from the database; calls arriving during a load share one more load. */
  reload(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.again = false;
        this.dir = await this.load();
      } while (this.again);
    })().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(): Promise<OrganisationDirectory> {
    const { db } = this.deps;
    const [units, users, regions, assignments, shifts] = await Promise.all([
      loadUnits(db),
      this.deps.users.all(),
      loadRegionTree(db),
      loadAssignments(db),
      loadShifts(db, new Date(Date.now() - SHIFT_HISTORY_MS)),
    ]);
    return new OrganisationDirectory({
      units,
      users: users.map((u) => ({
        id: u.username,
        displayName: u.displayName,
        roles: u.roles,
        regionId: u.regionId,
        unitId: u.unitId,
        disabled: u.disabledAt !== null,
      })),
      regions,
      assignments,
      shifts,
    });
  }
}
