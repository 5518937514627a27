import type { DeviceKind, Severity } from '@gridwatch/devices';
import type pg from 'pg';
import type { Finding } from '../../server/src/detection/core/types.ts';
import { uniqueId } from '../support/backends.ts';

/** Demo users seeded with SEED_DEMO_USERS (docs/demo-users.md). */
export const DEMO_PASSWORD = 'gridwatch-demo';
export const DISTRICT = 'D610104';
export const S01 = 'D610104-S01';
export const S02 = 'D610104-S02';

/** The district, two streets, one community and grid each: enough for scope rules. */
export async function seedRegions(pool: pg.Pool): Promise<void> {
  await pool.query(
    `INSERT INTO regions (id, level, name, parent_id) VALUES
       ($1, 'district', '莲湖区', NULL),
       ($2, 'street', '一街道', $1), ($2 || '-C01', 'community', '一社区', $2), ($2 || '-C01-G01', 'grid', '一网格', $2 || '-C01'),
       ($3, 'street', '二街道', $1), ($3 || '-C01', 'community', '二社区', $3), ($3 || '-C01-G01', 'grid', '二网格', $3 || '-C01')
     ON CONFLICT (id) DO NOTHING`,
    [DISTRICT, S01, S02],
  );
}

/** A device placed in the first grid of `street`; returns its id. */
export async function aDevice(
  pool: pg.Pool,
  opts: { street?: string; kind?: DeviceKind; site?: string } = {},
): Promise<string> {
  const street = opts.street ?? S01;
  const kind = opts.kind ?? 'charger';
  const id = uniqueId(kind === 'camera' ? 'cam' : kind === 'charger' ? 'chg' : 'lck');
  await pool.query(
    `INSERT INTO devices (id, kind, name, lon, lat, site, grid_id, community_id, street_id, district_id)
     VALUES ($1, $2, $3, 108.93, 34.27, $4, $5 || '-C01-G01', $5 || '-C01', $5, $6)`,
    [id, kind, `test ${id}`, opts.site ?? null, street, DISTRICT],
  );
  return id;
}

export function aFinding(deviceId: string, over: Partial<Finding> = {}): Finding {
  return {
    action: 'raise',
    cause: 'charger-over-temperature',
    severity: 'major' as Severity,
    deviceId,
    at: Date.now(),
    message: '充电桩温度过高 charger over temperature',
    ...over,
  };
}
