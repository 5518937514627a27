import type { TeamRole, Unit } from '@gridwatch/devices';
import fp from 'fastify-plugin';
import type { DirectoryUser } from './directory.ts';
import { dutyRoutes } from './duty-routes.ts';
import { addAssignments } from './repository.ts';
import { organisationRoutes } from './routes.ts';
import { OrganisationService } from './service.ts';
import { userRoutes } from './user-routes.ts';

/**
 * The organisation as other domains see it (the cases domain routes and dispatches with
 * it): every lookup synchronous, from an in-memory directory kept up to date in place.
 */
export interface Organisation {
  unit(id: string): Unit | undefined;
  /** Enabled centre responsible for a region (a grid's community centre; walks up past gaps). */
  centreOf(regionId: string): Unit | undefined;
  /** The enabled department of a type (`fire`, `police`, …). */
  department(type: string): Unit | undefined;
  units(): Unit[];
  departmentTypes(): Set<string>;
  /** The grid's 3+2+N team (disabled users left out). */
  gridTeam(gridId: string): Array<{ userId: string; teamRole: TeamRole }>;
  /** User ids with a duty shift at the unit covering `at`. */
  onDuty(unitId: string, at: Date): string[];
  /** The grid team member to send a grid task to at `at`, or null (rule in directory.ts). */
  gridOfficerOnDuty(gridId: string, at: Date): string | null;
  user(id: string): DirectoryUser | undefined;
  /** Active users of a unit. */
  members(unitId: string): DirectoryUser[];
  /** A region and its ancestors, itself first. */
  lineage(regionId: string): string[];
  /** Reloads from the database now (after a change made outside this instance's API). */
  refresh(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    organisation: Organisation;
  }
}

/** How often the directory reloads, so changes made through another instance show up. */
const DIRECTORY_REFRESH_MS = 15_000;

/** Units, users in units with roles, grid teams and duty shifts (issue 10). */
export default fp(
  async (app) => {
    const log = app.log.child({ domain: 'organisation' });
    const service = new OrganisationService({
      db: app.db,
      users: app.auth.users,
      log,
      refreshMs: DIRECTORY_REFRESH_MS,
    });
    // Demo users created at this start get their grids (the auth plugin seeded the users).
    for (const seeded of app.auth.seededNow) {
      if (seeded.grids?.length) await addAssignments(app.db, seeded.username, seeded.grids);
    }
    await service.start();
    const d = () => service.directory;
    const organisation: Organisation = {
      unit: (id) => d().unit(id),
      centreOf: (regionId) => d().centreOf(regionId),
      department: (type) => d().department(type),
      units: () => d().allUnits(),
      departmentTypes: () => d().departmentTypes(),
      gridTeam: (gridId) => d().gridTeam(gridId),
      onDuty: (unitId, at) => d().onDuty(unitId, at),
      gridOfficerOnDuty: (gridId, at) => d().gridOfficerOnDuty(gridId, at),
      user: (id) => d().user(id),
      members: (unitId) => d().members(unitId),
      lineage: (regionId) => d().lineage(regionId),
      refresh: () => service.syncCentres(),
    };
    app.decorate('organisation', organisation);

    // Region imports announce themselves as a device change (every device is placed again).
    const onDevicesChanged = () => {
      service.syncCentres().catch((err) => log.error({ err }, 'deriving centres failed'));
    };
    app.bus.on('devices-changed', onDevicesChanged);
    organisationRoutes(app, service);
    userRoutes(app, service);
    dutyRoutes(app, service);
    app.addHook('onClose', async () => {
      app.bus.off('devices-changed', onDevicesChanged);
      service.stop();
    });
  },
  { name: 'organisation', dependencies: ['context', 'db', 'bus', 'auth'] },
);
