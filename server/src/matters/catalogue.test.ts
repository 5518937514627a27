import type { MatterItem } from '@gridwatch/devices';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEPARTMENTS } from '../organisation/default-departments.ts';
import { type ItemInput, validateCatalogue } from './catalogue.ts';
import { DEFAULT_MATTER_ITEMS, LIMIT_CLASSES } from './default-catalogue.ts';

const departments = new Set(DEFAULT_DEPARTMENTS.map((d) => d.departmentType!));

const anItem = (over: Partial<Record<keyof MatterItem, unknown>> = {}): ItemInput => ({
  code: 'FIRE-01',
  categoryCode: 'FIRE',
  categoryZh: '消防',
  categoryEn: 'Fire',
  nameZh: '飞线充电',
  nameEn: 'Fly-wire charging',
  leadDepartment: 'fire',
  tier: 'grid',
  ...LIMIT_CLASSES.high,
  photoRequired: true,
  verificationRequired: true,
  ...over,
});

describe('the default catalogue', () => {
  it('has 6 categories and 80 items, every one valid against the default departments', () => {
    const { items, errors } = validateCatalogue(DEFAULT_MATTER_ITEMS, departments);
    expect(errors).toEqual([]);
    expect(items).toHaveLength(80);
    expect(new Set(items.map((i) => i.categoryCode)).size).toBe(6);
    expect(new Set(items.map((i) => i.code)).size).toBe(80);
  });

  it('names its lead departments among the seeded ones and uses every tier', () => {
    expect(new Set(DEFAULT_MATTER_ITEMS.map((i) => i.tier))).toEqual(
      new Set(['grid', 'community', 'street', 'district']),
    );
    for (const type of [
      'police',
      'market-regulation',
      'urban-management',
      'fire',
      'power-supply',
      'property',
    ]) {
      expect(
        DEFAULT_MATTER_ITEMS.some((i) => i.leadDepartment === type),
        type,
      ).toBe(true);
    }
  });
});

describe('validateCatalogue', () => {
  it('accepts a good item and trims its text', () => {
    const { items, errors } = validateCatalogue([anItem({ nameEn: '  Fly-wire charging ' })], departments);
    expect(errors).toEqual([]);
    expect(items[0]!.nameEn).toBe('Fly-wire charging');
  });

  it.each([
    [{ leadDepartment: 'ministry-of-magic' }, 'leadDepartment'],
    [{ acceptLimitS: -5 }, 'acceptLimitS'],
    [{ handleLimitS: 0 }, 'handleLimitS'],
    [{ verifyLimitS: 1.5 }, 'verifyLimitS'],
    [{ receiveLimitS: '60' }, 'receiveLimitS'],
    [{ receiveLimitS: 10 ** 9 }, 'receiveLimitS'],
    [{ nameZh: 'bad\u0000name' }, 'nameZh'],
    [{ nameEn: 'evil\u202Eeman' }, 'nameEn'],
    [{ nameEn: '   ' }, 'nameEn'],
    [{ nameEn: 'x'.repeat(101) }, 'nameEn'],
    [{ code: 'fire 1' }, 'code'],
    [{ categoryCode: '=cmd' }, 'categoryCode'],
    [{ tier: 'city' }, 'tier'],
    [{ photoRequired: 'yes' }, 'photoRequired'],
    [{ verificationRequired: undefined }, 'verificationRequired'],
  ])('refuses %j, naming %s', (over, field) => {
    const { items, errors } = validateCatalogue([anItem(over)], departments);
    expect(items).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ index: 0, field });
    expect(errors[0]!.message).toContain(field);
  });

  it('refuses duplicate codes, a category named two ways, and an empty list', () => {
    const dup = validateCatalogue([anItem(), anItem()], departments);
    expect(dup.errors).toEqual([expect.objectContaining({ index: 1, field: 'code' })]);
    const renamed = validateCatalogue(
      [anItem(), anItem({ code: 'FIRE-02', categoryEn: 'Fires' })],
      departments,
    );
    expect(renamed.errors).toEqual([expect.objectContaining({ index: 1, field: 'categoryZh' })]);
    expect(validateCatalogue([], departments).errors).toEqual([expect.objectContaining({ field: 'items' })]);
  });

  it('reports every bad row, not only the first', () => {
    const { errors } = validateCatalogue(
      [anItem(), anItem({ code: 'FIRE-02', tier: 'x' }), anItem({ code: 'FIRE-03', acceptLimitS: -1 })],
      departments,
    );
    expect(errors.map((e) => [e.index, e.field])).toEqual([
      [1, 'tier'],
      [2, 'acceptLimitS'],
    ]);
  });
});
