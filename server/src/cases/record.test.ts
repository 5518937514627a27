import { describe, expect, it } from 'vitest';
import { roomsForCase } from './realtime.ts';
import { type CaseRow, NOBODY, toCase } from './record.ts';

const aRow = (over: Partial<CaseRow> = {}): CaseRow => ({
  id: '6f1c1c5e-0000-4000-8000-000000000001',
  number: 7,
  source: 'resident',
  state: 'dispatched',
  version: 3,
  title: '消防通道堵塞',
  description: '楼下消防通道被车辆堵住',
  matter_item: 'FIRE-05',
  matter_version: 1,
  tier: 'grid',
  lead_department: 'fire',
  photo_required: true,
  verification_required: true,
  lon: 108.9,
  lat: 34.2,
  district_id: 'D',
  street_id: 'D-S01',
  community_id: 'D-S01-C01',
  grid_id: 'D-S01-C01-G01',
  unit_id: 'centre:D-S01-C01',
  assignee_id: 'go-1',
  co_unit_ids: ['dept:fire'],
  handler_ids: [],
  participant_ids: ['disp'],
  reporter_kind: 'resident',
  reporter_id: null,
  contact_name: '张三',
  contact_phone: '13812341234',
  alert_id: null,
  device_ids: [],
  hotline_system: null,
  external_ref: null,
  satisfaction: null,
  reported_at: new Date('2026-12-05T08:00:00Z'),
  updated_at: new Date('2026-12-05T08:05:00Z'),
  closed_at: null,
  ...over,
});

describe('toCase', () => {
  it('shows the contact to the lead unit, masks it for everyone else', () => {
    const member = { id: 'h-2', roles: ['handler'], unitId: 'centre:D-S01-C01' };
    expect(toCase(aRow(), member).contact).toEqual({ name: '张三', phone: '13812341234', masked: false });
    expect(toCase(aRow(), NOBODY).contact).toEqual({ name: '张*', phone: '138****1234', masked: true });
  });

  it('a case without contact has none; times are ISO strings', () => {
    const c = toCase(aRow({ contact_name: null, contact_phone: null }), NOBODY);
    expect(c.contact).toBeNull();
    expect(c.reportedAt).toBe('2026-12-05T08:00:00.000Z');
    expect(c.path).toEqual({ district: 'D', street: 'D-S01', community: 'D-S01-C01', grid: 'D-S01-C01-G01' });
  });
});

describe('roomsForCase', () => {
  it('regions on the path, lead and co-handling units, the assignee', () => {
    expect(roomsForCase(aRow())).toEqual([
      'region:D',
      'region:D-S01',
      'region:D-S01-C01',
      'region:D-S01-C01-G01',
      'unit:centre:D-S01-C01',
      'unit:dept:fire',
      'user:go-1',
    ]);
  });
  it('a returned case (no unit, no assignee) goes to its regions only', () => {
    expect(roomsForCase(aRow({ unit_id: null, assignee_id: null, co_unit_ids: [] }))).toHaveLength(4);
  });
});
