import { MATTER_LIMIT_MAX_S, MATTER_TIERS, type MatterItem, type MatterTier } from '@gridwatch/devices';

/**
 * Validation of a whole catalogue, pure. Input comes from JSON (already typed loosely by the
 * route schema) or from CSV rows; every problem is reported with the row it is on and the
 * field it concerns, so a 400 names exactly what to fix.
 */
export interface CatalogueError {
  /** 0-based index in the submitted list (the CSV reader maps it to a line number). */
  index: number;
  field: keyof MatterItem | 'items';
  message: string;
}

/** Most items a catalogue may hold; the default has 80. */
export const MATTER_ITEMS_MAX = 2000;
const CODE = /^[A-Z][A-Z0-9-]{0,31}$/;
const NAME_MAX = 100;
// Control characters (NUL, escapes, C1) and bidi overrides: never valid in a name.
const HOSTILE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

export const LIMIT_FIELDS = ['acceptLimitS', 'receiveLimitS', 'handleLimitS', 'verifyLimitS'] as const;
const NAME_FIELDS = ['categoryZh', 'categoryEn', 'nameZh', 'nameEn'] as const;

/** A catalogue item as submitted: any field may be missing or of the wrong kind. */
export type ItemInput = { [K in keyof MatterItem]?: unknown };

function text(value: unknown, field: string, max: number): string | string[] {
  if (typeof value !== 'string') return [`${field} must be text`];
  const trimmed = value.trim();
  if (!trimmed) return [`${field} must not be empty`];
  if (trimmed.length > max) return [`${field} must be at most ${max} characters`];
  if (HOSTILE.test(trimmed)) return [`${field} must not contain control characters`];
  return trimmed;
}

export function validateCatalogue(
  input: readonly ItemInput[],
  departments: ReadonlySet<string>,
): { items: MatterItem[]; errors: CatalogueError[] } {
  const errors: CatalogueError[] = [];
  const items: MatterItem[] = [];
  if (input.length === 0) errors.push({ index: 0, field: 'items', message: 'items: the catalogue is empty' });
  if (input.length > MATTER_ITEMS_MAX)
    errors.push({ index: 0, field: 'items', message: `items: more than ${MATTER_ITEMS_MAX} items` });
  const codes = new Map<string, number>();
  const categories = new Map<string, { zh: string; en: string; index: number }>();

  input.forEach((raw, index) => {
    const fail = (field: CatalogueError['field'], message: string) => errors.push({ index, field, message });
    const before = errors.length;
    const str = (field: keyof MatterItem, max: number): string => {
      const r = text(raw[field], field, max);
      if (Array.isArray(r)) {
        fail(field, r[0]!);
        return '';
      }
      return r;
    };
    const code = str('code', 32);
    if (code && !CODE.test(code))
      fail('code', 'code must be upper-case letters, digits and -, starting with a letter');
    const categoryCode = str('categoryCode', 32);
    if (categoryCode && !CODE.test(categoryCode))
      fail('categoryCode', 'categoryCode must be upper-case letters, digits and -, starting with a letter');
    const names = Object.fromEntries(NAME_FIELDS.map((f) => [f, str(f, NAME_MAX)])) as Record<
      (typeof NAME_FIELDS)[number],
      string
    >;
    const leadDepartment = str('leadDepartment', 40);
    if (leadDepartment && !departments.has(leadDepartment))
      fail(
        'leadDepartment',
        `leadDepartment ${JSON.stringify(leadDepartment)} is not a known department type`,
      );
    const tier = raw.tier;
    if (!MATTER_TIERS.includes(tier as MatterTier))
      fail('tier', `tier must be one of ${MATTER_TIERS.join(', ')}`);
    const limits = {} as Record<(typeof LIMIT_FIELDS)[number], number>;
    for (const field of LIMIT_FIELDS) {
      const v = raw[field];
      if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > MATTER_LIMIT_MAX_S)
        fail(field, `${field} must be a whole number of seconds from 1 to ${MATTER_LIMIT_MAX_S}`);
      else limits[field] = v;
    }
    for (const field of ['photoRequired', 'verificationRequired'] as const) {
      if (typeof raw[field] !== 'boolean') fail(field, `${field} must be true or false`);
    }
    if (code) {
      const first = codes.get(code);
      if (first !== undefined) fail('code', `code ${code} appears twice (also item ${first + 1})`);
      else codes.set(code, index);
    }
    if (categoryCode && names.categoryZh && names.categoryEn) {
      const known = categories.get(categoryCode);
      if (!known) categories.set(categoryCode, { zh: names.categoryZh, en: names.categoryEn, index });
      else if (known.zh !== names.categoryZh || known.en !== names.categoryEn)
        fail('categoryZh', `category ${categoryCode} is named differently than in item ${known.index + 1}`);
    }
    if (errors.length === before) {
      items.push({
        code,
        categoryCode,
        ...names,
        leadDepartment,
        tier: tier as MatterTier,
        ...limits,
        photoRequired: raw.photoRequired as boolean,
        verificationRequired: raw.verificationRequired as boolean,
      });
    }
  });
  return { items, errors };
}

/** One line per error, `items[i].field: message`, at most `max` of them. */
export function describeErrors(
  errors: readonly CatalogueError[],
  where: (e: CatalogueError) => string,
  max = 10,
): string {
  const shown = errors.slice(0, max).map((e) => `${where(e)}: ${e.message}`);
  const more = errors.length > max ? ` (and ${errors.length - max} more)` : '';
  return `${shown.join('; ')}${more}`;
}
