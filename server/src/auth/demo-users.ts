import type { Role } from '@gridwatch/devices';

/** The simulated district (simulators/), whose streets are `<district>-S01`..`-S09`. */
export const DEMO_DISTRICT = 'D610104';
export const DEMO_STREETS = Array.from(
  { length: 9 },
  (_, i) => `${DEMO_DISTRICT}-S${String(i + 1).padStart(2, '0')}`,
);

/** Demo only: documented in docs/demo-users.md; never seeded unless SEED_DEMO_USERS. */
export const DEMO_PASSWORD = 'gridwatch-demo';
/** Used for `admin` when ADMIN_PASSWORD is unset (with a warning at boot). */
export const DEFAULT_ADMIN_PASSWORD = 'gridwatch-admin';

export interface SeedUser {
  username: string;
  displayName: string;
  role: Role;
  regionId: string;
}

export const ADMIN_USER: SeedUser = {
  username: 'admin',
  displayName: '指挥中心管理员 Commander',
  role: 'commander',
  regionId: DEMO_DISTRICT,
};

export const DEMO_USERS: SeedUser[] = [
  { username: 'dispatcher', displayName: '调度员 Dispatcher', role: 'dispatcher', regionId: DEMO_DISTRICT },
  { username: 'wall', displayName: '大屏 Wall screen', role: 'viewer', regionId: DEMO_DISTRICT },
  ...DEMO_STREETS.map((street, i) => ({
    username: `officer-s${String(i + 1).padStart(2, '0')}`,
    displayName: `第${i + 1}街道值班员 Street ${i + 1} officer`,
    role: 'officer' as const,
    regionId: street,
  })),
];
