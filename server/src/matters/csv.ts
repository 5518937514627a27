import type { MatterItem } from '@gridwatch/devices';
import { parseCsv } from '../registry/csv.ts';
import type { ItemInput } from './catalogue.ts';

/**
 * The catalogue as CSV, one item per row, for editing in a spreadsheet. Column names are
 * those of the database. Exported cells that a spreadsheet would run as a formula
 * (starting with = + - @ or a tab/CR) get a leading apostrophe; the import takes it off again,
 * so a round trip is exact and a hostile cell stays inert text.
 */
export const CSV_COLUMNS = [
  ['code', 'code'],
  ['category_code', 'categoryCode'],
  ['category_zh', 'categoryZh'],
  ['category_en', 'categoryEn'],
  ['name_zh', 'nameZh'],
  ['name_en', 'nameEn'],
  ['lead_department', 'leadDepartment'],
  ['tier', 'tier'],
  ['accept_limit_s', 'acceptLimitS'],
  ['receive_limit_s', 'receiveLimitS'],
  ['handle_limit_s', 'handleLimitS'],
  ['verify_limit_s', 'verifyLimitS'],
  ['photo_required', 'photoRequired'],
  ['verification_required', 'verificationRequired'],
] as const satisfies ReadonlyArray<readonly [string, keyof MatterItem]>;

type Field = (typeof CSV_COLUMNS)[number][1];
const NUMBER_FIELDS = new Set<Field>(['acceptLimitS', 'receiveLimitS', 'handleLimitS', 'verifyLimitS']);
const BOOLEAN_FIELDS = new Set<Field>(['photoRequired', 'verificationRequired']);
const FORMULA_START = /^[=+\-@\t\r]/;

/** The CSV column of a field, for error messages that point into the file. */
export const columnOf = (field: string): string => CSV_COLUMNS.find(([, f]) => f === field)?.[0] ?? field;

function cell(value: string | number | boolean): string {
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/** UTF-8 with a byte-order mark (so spreadsheets read the Chinese right), CRLF line ends. */
export function catalogueToCsv(items: readonly MatterItem[]): string {
  const lines = [CSV_COLUMNS.map(([column]) => column).join(',')];
  for (const item of items) lines.push(CSV_COLUMNS.map(([, field]) => cell(item[field])).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function value(field: Field, raw: string): unknown {
  const text = raw.startsWith("'") && FORMULA_START.test(raw.slice(1)) ? raw.slice(1) : raw;
  if (NUMBER_FIELDS.has(field)) return /^\s*-?\d+\s*$/.test(text) ? Number(text) : text;
  if (BOOLEAN_FIELDS.has(field)) {
    const t = text.trim().toLowerCase();
    if (t === 'true' || t === '1' || t === 'yes') return true;
    if (t === 'false' || t === '0' || t === 'no') return false;
    return text;
  }
  return text;
}

/**
 * Items from CSV text, with the line each starts on; `error` for what makes the whole file
 * unreadable (an unclosed quote, a missing or unknown column, a row of the wrong width).
 */
export function catalogueFromCsv(text: string): { items: ItemInput[]; lines: number[]; errors: string[] } {
  const parsed = parseCsv(text);
  if (parsed.error) return { items: [], lines: [], errors: [parsed.error] };
  const [header, ...rows] = parsed.records;
  if (!header) return { items: [], lines: [], errors: ['line 1: the file is empty'] };
  const names = header.fields.map((f) => f.trim());
  const errors: string[] = [];
  const unknown = names.filter((n) => !CSV_COLUMNS.some(([c]) => c === n));
  if (unknown.length)
    errors.push(`line 1: unknown column ${unknown.map((n) => JSON.stringify(n.slice(0, 40))).join(', ')}`);
  const missing = CSV_COLUMNS.filter(([c]) => !names.includes(c)).map(([c]) => c);
  if (missing.length) errors.push(`line 1: missing column ${missing.join(', ')}`);
  if (errors.length) return { items: [], lines: [], errors };
  const items: ItemInput[] = [];
  const lines: number[] = [];
  for (const row of rows) {
    if (row.fields.length !== names.length) {
      errors.push(`line ${row.line}: ${row.fields.length} fields, expected ${names.length}`);
      continue;
    }
    const item: ItemInput = {};
    names.forEach((name, i) => {
      const field = CSV_COLUMNS.find(([c]) => c === name)![1];
      item[field] = value(field, row.fields[i]!);
    });
    items.push(item);
    lines.push(row.line);
  }
  return { items, lines, errors };
}
