import { describe, expect, it } from 'vitest';
import { DEFAULT_DEPARTMENTS } from '../organisation/default-departments.ts';
import { validateCatalogue } from './catalogue.ts';
import { CSV_COLUMNS, catalogueFromCsv, catalogueToCsv } from './csv.ts';
import { DEFAULT_MATTER_ITEMS } from './default-catalogue.ts';

const departments = new Set(DEFAULT_DEPARTMENTS.map((d) => d.departmentType!));
const HEADER = CSV_COLUMNS.map(([c]) => c).join(',');

describe('catalogue CSV', () => {
  it('round-trips the default catalogue exactly', () => {
    const csv = catalogueToCsv(DEFAULT_MATTER_ITEMS);
    expect(csv.startsWith(`\uFEFF${HEADER}\r\n`)).toBe(true);
    const back = catalogueFromCsv(csv);
    expect(back.errors).toEqual([]);
    expect(back.lines.slice(0, 2)).toEqual([2, 3]);
    expect(validateCatalogue(back.items, departments)).toEqual({ items: DEFAULT_MATTER_ITEMS, errors: [] });
  });

  it('keeps formula-looking, quoted and multi-line text inert and exact', () => {
    const hostile = {
      ...DEFAULT_MATTER_ITEMS[0]!,
      nameZh: '=HYPERLINK("http://x","点我")',
      nameEn: '@SUM(1+1), "quoted"\nsecond line',
      categoryEn: '-2+3',
    };
    const csv = catalogueToCsv([hostile]);
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""点我"")"`);
    expect(csv).not.toMatch(/,=|,@|,-2/);
    const back = catalogueFromCsv(csv);
    expect(back.items[0]).toMatchObject({
      nameZh: hostile.nameZh,
      nameEn: hostile.nameEn,
      categoryEn: '-2+3',
    });
  });

  it('reads columns in any order and yes/no, 1/0 flags', () => {
    const cols = [...CSV_COLUMNS].reverse();
    const item = DEFAULT_MATTER_ITEMS[0]!;
    const row = cols.map(([, f]) =>
      f === 'photoRequired' ? 'yes' : f === 'verificationRequired' ? '0' : String(item[f]),
    );
    const back = catalogueFromCsv(`${cols.map(([c]) => c).join(',')}\n${row.join(',')}\n`);
    expect(back.items[0]).toMatchObject({
      code: item.code,
      photoRequired: true,
      verificationRequired: false,
    });
    expect(back.items[0]!.acceptLimitS).toBe(item.acceptLimitS);
  });

  it.each([
    ['an unknown column', `${HEADER},evil\n`, /line 1: unknown column "evil"/],
    ['a missing column', `${HEADER.replace(',tier', '')}\n`, /line 1: missing column tier/],
    ['an unclosed quote', `${HEADER}\n"FIRE-01,x\n`, /line 2: quoted field is never closed/],
    ['an empty file', '', /line 1: the file is empty/],
    ['a short row', `${HEADER}\nFIRE-01,FIRE\n`, /line 2: 2 fields, expected 14/],
  ])('refuses %s, naming the line', (_what, csv, message) => {
    const { errors } = catalogueFromCsv(csv);
    expect(errors.join('; ')).toMatch(message);
  });

  it('leaves a bad value for validation to name, with its line', () => {
    const item = DEFAULT_MATTER_ITEMS[0]!;
    const row = CSV_COLUMNS.map(([, f]) =>
      f === 'acceptLimitS' ? '-60' : f === 'photoRequired' ? 'maybe' : String(item[f]),
    );
    const parsed = catalogueFromCsv(`${HEADER}\r\n${row.join(',')}\r\n`);
    expect(parsed.lines).toEqual([2]);
    const { errors } = validateCatalogue(parsed.items, departments);
    expect(errors.map((e) => e.field)).toEqual(['acceptLimitS', 'photoRequired']);
  });
});
