import { describe, expect, it } from 'vitest';
import {
  type DuplicateCandidate,
  type DuplicateSubject,
  distanceM,
  proposeDuplicates,
} from './duplicates.ts';

const T0 = Date.parse('2026-12-05T08:00:00Z');
const MIN = 60_000;
// About 0.001° of latitude is 111 m.
const aSubject = (over: Partial<DuplicateSubject> = {}): DuplicateSubject => ({
  id: 'new',
  gridId: 'g01',
  itemCode: 'fire-passage-blocked',
  deviceIds: [],
  lon: 108.93,
  lat: 34.26,
  reportedAt: T0,
  ...over,
});
const aCandidate = (id: string, over: Partial<DuplicateCandidate> = {}): DuplicateCandidate => ({
  ...aSubject(),
  id,
  state: 'dispatched',
  ...over,
});

describe('distanceM', () => {
  it('0.001° of latitude is about 111 m', () => {
    expect(distanceM(108.93, 34.26, 108.93, 34.261)).toBeCloseTo(111.2, 0);
  });
});

describe('proposeDuplicates', () => {
  it('the same grid and item, 10 min and 111 m apart, is proposed with both in the reason', () => {
    const [p, ...rest] = proposeDuplicates(aSubject(), [
      aCandidate('c1', { reportedAt: T0 - 10 * MIN, lat: 34.261 }),
    ]);
    expect(rest).toEqual([]);
    expect(p!.caseId).toBe('c1');
    // 0.5 + 0.25·(1 − 10/1440) + 0.25·(1 − 111/300)
    expect(p!.score).toBeCloseTo(0.5 + 0.25 * (1 - 10 / 1440) + 0.25 * (1 - 111.2 / 300), 2);
    expect(p!.reason).toBe('same grid and matter item, 10 min and 111 m apart');
  });

  it('nearer in time and place scores higher, and comes first', () => {
    const out = proposeDuplicates(aSubject(), [
      aCandidate('far', { reportedAt: T0 - 20 * 60 * MIN, lat: 34.262 }),
      aCandidate('near', { reportedAt: T0 - 5 * MIN }),
    ]);
    expect(out.map((p) => p.caseId)).toEqual(['near', 'far']);
    expect(out[0]!.score).toBeGreaterThan(out[1]!.score);
    expect(out[0]!.score).toBeLessThanOrEqual(1);
  });

  it.each([
    ['another grid', { gridId: 'g02' }],
    ['another item', { itemCode: 'littering' }],
    ['no item', { itemCode: null }],
    ['more than a day apart', { reportedAt: T0 - 25 * 60 * MIN }],
    ['more than 300 m apart', { lat: 34.264 }],
    ['closed', { state: 'closed' as const }],
    ['rejected', { state: 'rejected' as const }],
    ['itself', { id: 'new' }],
  ])('not proposed: %s', (_, over) => {
    expect(proposeDuplicates(aSubject(), [aCandidate('c1', over)])).toEqual([]);
  });

  it('the same device is proposed even in another grid or for another item', () => {
    const subject = aSubject({ deviceIds: ['chg-1', 'cam-2'] });
    expect(
      proposeDuplicates(subject, [
        aCandidate('c1', { deviceIds: ['cam-2'], gridId: 'g09', reportedAt: T0 - 30 * MIN }),
      ]),
    ).toEqual([{ caseId: 'c1', score: 1, reason: 'same device cam-2 and matter item, 30 min apart' }]);
    expect(
      proposeDuplicates(subject, [aCandidate('c2', { deviceIds: ['chg-1'], itemCode: 'charger-fault' })]),
    ).toEqual([{ caseId: 'c2', score: 0.9, reason: 'same device chg-1, 0 min apart' }]);
  });

  it('without positions the place counts half', () => {
    const [p] = proposeDuplicates(aSubject({ lon: null, lat: null }), [aCandidate('c1')]);
    expect(p).toEqual({
      caseId: 'c1',
      score: 0.88,
      reason: 'same grid and matter item, 0 min apart (no position to compare)',
    });
  });

  it('the window and radius can be set', () => {
    const c = aCandidate('c1', { reportedAt: T0 - 90 * MIN, lat: 34.2615 });
    expect(proposeDuplicates(aSubject(), [c], { windowMs: 60 * MIN })).toEqual([]);
    expect(proposeDuplicates(aSubject(), [c], { radiusM: 100 })).toEqual([]);
    expect(proposeDuplicates(aSubject(), [c], { windowMs: 120 * MIN, radiusM: 200 })).toHaveLength(1);
  });
});
