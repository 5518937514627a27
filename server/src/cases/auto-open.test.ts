import { describe, expect, it } from 'vitest';
import { DEFAULT_AUTO_OPEN, matchAutoOpen, parseAutoOpen } from './auto-open.ts';

describe('parseAutoOpen', () => {
  it('reads the default: critical fire-risk → FIRE-04 with the fire department', () => {
    expect(parseAutoOpen(DEFAULT_AUTO_OPEN)).toEqual([
      { cause: 'fire-risk', minSeverity: 'critical', item: 'FIRE-04', coDepartments: ['fire'] },
    ]);
  });

  it('reads several rules; severity defaults to any, departments to none', () => {
    expect(
      parseAutoOpen(' locker-forced-open=SERVICE-14 ; charger-smoke@major=FIRE-04+fire,property '),
    ).toEqual([
      { cause: 'locker-forced-open', minSeverity: 'warning', item: 'SERVICE-14', coDepartments: [] },
      { cause: 'charger-smoke', minSeverity: 'major', item: 'FIRE-04', coDepartments: ['fire', 'property'] },
    ]);
    expect(parseAutoOpen('')).toEqual([]);
  });

  it.each([
    ['fire-risk', 'cannot read rule'],
    ['fire-risk@huge=FIRE-04', "unknown severity 'huge'"],
    ['Fire Risk=FIRE-04', 'cannot read rule'],
  ])('refuses %s naming the variable', (spec, message) => {
    expect(() => parseAutoOpen(spec)).toThrow(/^CASE_AUTO_OPEN: /);
    expect(() => parseAutoOpen(spec)).toThrow(message);
  });
});

describe('matchAutoOpen', () => {
  const rules = parseAutoOpen('fire-risk@critical=FIRE-04+fire;charger-smoke@major=FIRE-12');
  it.each([
    ['fire-risk', 'critical', 'FIRE-04'],
    ['fire-risk', 'major', null],
    ['charger-smoke', 'critical', 'FIRE-12'],
    ['charger-smoke', 'major', 'FIRE-12'],
    ['charger-smoke', 'minor', null],
    ['charger-over-temperature', 'critical', null],
  ] as const)('%s at %s → %s', (cause, severity, item) => {
    expect(matchAutoOpen(rules, { cause, severity })?.item ?? null).toBe(item);
  });
});
