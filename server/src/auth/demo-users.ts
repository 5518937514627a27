import type { GridAssignment, Role } from '@gridwatch/devices';

/** The simulated district (simulators/), whose streets are `<district>-S01`..`-S09`. */
export const DEMO_DISTRICT = 'D610104';
export const DEMO_STREETS = Array.from(
  { length: 9 },
  (_, i) => `${DEMO_DISTRICT}-S${String(i + 1).padStart(2, '0')}`,
);
const S01 = DEMO_STREETS[0]!;
const S01_C01 = `${S01}-C01`;

/** Demo only: documented in docs/demo-users.md; never seeded unless SEED_DEMO_USERS. */
export const DEMO_PASSWORD = 'gridwatch-demo';
/** Used for `admin` when ADMIN_PASSWORD is unset (with a warning at boot). */
export const DEFAULT_ADMIN_PASSWORD = 'gridwatch-admin';

export interface SeedUser {
  username: string;
  displayName: string;
  role: Role;
  /** Every role, `role` first; just `[role]` when absent. */
  roles?: Role[];
  regionId: string;
  /** `centre:<regionId>` or `dept:<type>`; the unit may be created later (centres come with the regions). */
  unitId?: string;
  /** Grids the user patrols, with their 3+2+N team role (seeded by the organisation plugin). */
  grids?: GridAssignment[];
}

export const ADMIN_USER: SeedUser = {
  username: 'admin',
  displayName: '指挥中心管理员 Commander',
  role: 'commander',
  regionId: DEMO_DISTRICT,
  unitId: `centre:${DEMO_DISTRICT}`,
};

const gridOfficer = (n: number): SeedUser => ({
  username: `grid-s01-c01-g0${n}`,
  displayName: `一街道一社区第${n}网格 专职网格员 Grid officer S01-C01-G0${n}`,
  role: 'grid-officer',
  regionId: S01_C01,
  unitId: `centre:${S01_C01}`,
  grids: [{ gridId: `${S01_C01}-G0${n}`, teamRole: 'grid-officer' }],
});

export const DEMO_USERS: SeedUser[] = [
  {
    username: 'dispatcher',
    displayName: '调度员 Dispatcher',
    role: 'dispatcher',
    regionId: DEMO_DISTRICT,
    unitId: `centre:${DEMO_DISTRICT}`,
  },
  { username: 'wall', displayName: '大屏 Wall screen', role: 'viewer', regionId: DEMO_DISTRICT },
  ...DEMO_STREETS.map((street, i) => ({
    username: `officer-s${String(i + 1).padStart(2, '0')}`,
    displayName: `第${i + 1}街道值班员 Street ${i + 1} officer`,
    role: 'officer' as const,
    regionId: street,
    unitId: `centre:${street}`,
  })),
  {
    username: 'dispatcher-s01',
    displayName: '一街道中心调度员 Street 1 dispatcher',
    role: 'dispatcher',
    regionId: S01,
    unitId: `centre:${S01}`,
  },
  gridOfficer(1),
  gridOfficer(2),
  gridOfficer(3),
  {
    username: 'chief-s01-c01',
    displayName: '一街道一社区网格长 Grid chief S01-C01',
    role: 'grid-officer',
    roles: ['grid-officer', 'verifier'],
    regionId: S01_C01,
    unitId: `centre:${S01_C01}`,
    grids: [1, 2, 3].map((n) => ({ gridId: `${S01_C01}-G0${n}`, teamRole: 'grid-chief' as const })),
  },
  {
    username: 'verifier-s01',
    displayName: '一街道中心核查员 Street 1 verifier',
    role: 'verifier',
    regionId: S01,
    unitId: `centre:${S01}`,
  },
  {
    username: 'handler-fire',
    displayName: '消防救援站处置员 Fire station handler',
    role: 'handler',
    regionId: DEMO_DISTRICT,
    unitId: 'dept:fire',
  },
];
