import type { MatterCatalogue, MatterItem, MatterTier, MatterVersion } from '@gridwatch/devices';
import type { Queryable } from '../infra/db/transaction.ts';

/** matter_versions and matter_items: only this module writes them, and never updates a row. */
interface ItemRow {
  version: number;
  code: string;
  category_code: string;
  category_zh: string;
  category_en: string;
  name_zh: string;
  name_en: string;
  lead_department: string;
  tier: MatterTier;
  accept_limit_s: number;
  receive_limit_s: number;
  handle_limit_s: number;
  verify_limit_s: number;
  photo_required: boolean;
  verification_required: boolean;
}

/** Arbitrary constant: one catalogue edit at a time across instances. */
const VERSION_LOCK = 727_061;

function toItem(r: ItemRow): MatterItem {
  return {
    code: r.code,
    categoryCode: r.category_code,
    categoryZh: r.category_zh,
    categoryEn: r.category_en,
    nameZh: r.name_zh,
    nameEn: r.name_en,
    leadDepartment: r.lead_department,
    tier: r.tier,
    acceptLimitS: r.accept_limit_s,
    receiveLimitS: r.receive_limit_s,
    handleLimitS: r.handle_limit_s,
    verifyLimitS: r.verify_limit_s,
    photoRequired: r.photo_required,
    verificationRequired: r.verification_required,
  };
}

/** Every version newer than `after`, with its items, oldest first. */
export async function loadVersionsAfter(q: Queryable, after: number): Promise<MatterCatalogue[]> {
  const versions = await q.query<{ version: number; created_at: Date; created_by: string; note: string }>(
    'SELECT version, created_at, created_by, note FROM matter_versions WHERE version > $1 ORDER BY version',
    [after],
  );
  if (versions.rows.length === 0) return [];
  const items = await q.query<ItemRow>(
    'SELECT * FROM matter_items WHERE version > $1 ORDER BY version, category_code, code',
    [after],
  );
  const byVersion = new Map<number, MatterItem[]>();
  for (const row of items.rows) {
    const list = byVersion.get(row.version) ?? [];
    list.push(toItem(row));
    byVersion.set(row.version, list);
  }
  return versions.rows.map((v) => ({
    version: v.version,
    createdAt: v.created_at.toISOString(),
    createdBy: v.created_by,
    note: v.note,
    items: byVersion.get(v.version) ?? [],
  }));
}

export async function latestVersion(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ v: number | null }>('SELECT max(version) AS v FROM matter_versions');
  return rows[0]?.v ?? 0;
}

export async function listVersions(q: Queryable): Promise<MatterVersion[]> {
  const { rows } = await q.query<{
    version: number;
    created_at: Date;
    created_by: string;
    note: string;
    items: number;
  }>(
    `SELECT v.version, v.created_at, v.created_by, v.note, (SELECT count(*) FROM matter_items i WHERE i.version = v.version)::int AS items
       FROM matter_versions v ORDER BY v.version DESC`,
  );
  return rows.map((r) => ({
    version: r.version,
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
    note: r.note,
    items: r.items,
  }));
}

/**
 * Writes `items` as the next version, inside the caller's transaction. With `expected`, the
 * write only happens while the latest version is still `expected` (an edit based on an older
 * catalogue is refused); with `onlyIfEmpty`, only when there is no version yet (seeding).
 * Returns the new version number, or null when refused.
 */
export async function insertVersion(
  tx: Queryable,
  input: {
    items: readonly MatterItem[];
    createdBy: string;
    note: string;
    expected?: number;
    onlyIfEmpty?: boolean;
  },
): Promise<{ version: number } | { refused: number }> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [VERSION_LOCK]);
  const latest = await latestVersion(tx);
  if (input.onlyIfEmpty && latest > 0) return { refused: latest };
  if (input.expected !== undefined && input.expected !== latest) return { refused: latest };
  const version = latest + 1;
  await tx.query('INSERT INTO matter_versions (version, created_by, note) VALUES ($1, $2, $3)', [
    version,
    input.createdBy,
    input.note,
  ]);
  const col = <K extends keyof MatterItem>(k: K) => input.items.map((i) => i[k]);
  await tx.query(
    `INSERT INTO matter_items (version, code, category_code, category_zh, category_en, name_zh, name_en,
       lead_department, tier, accept_limit_s, receive_limit_s, handle_limit_s, verify_limit_s,
       photo_required, verification_required)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
       $8::text[], $9::text[], $10::int[], $11::int[], $12::int[], $13::int[], $14::bool[], $15::bool[])`,
    [
      version,
      col('code'),
      col('categoryCode'),
      col('categoryZh'),
      col('categoryEn'),
      col('nameZh'),
      col('nameEn'),
      col('leadDepartment'),
      col('tier'),
      col('acceptLimitS'),
      col('receiveLimitS'),
      col('handleLimitS'),
      col('verifyLimitS'),
      col('photoRequired'),
      col('verificationRequired'),
    ],
  );
  return { version };
}
