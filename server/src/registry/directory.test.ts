import type { RegionPath } from '@gridwatch/devices';
import { describe, expect, it } from 'vitest';
import { DeviceDirectory, type DirectoryEntry } from './directory.ts';

const NOWHERE: RegionPath = { district: null, street: null, community: null, grid: null };
const G1: RegionPath = { district: 'D1', street: 'D1-S1', community: 'D1-S1-C1', grid: 'D1-S1-C1-G1' };

function anEntry(over: Partial<DirectoryEntry> = {}): DirectoryEntry {
  return {
    id: 'chg-00001',
    kind: 'charger',
    name: 'Charger 1',
    site: 'site-1',
    lon: 108.9,
    lat: 34.2,
    gridId: null,
    path: NOWHERE,
    ...over,
  };
}

describe('DeviceDirectory', () => {
  it('knows a device as soon as it is put, and replaces it when put again', () => {
    const directory = new DeviceDirectory();
    expect(directory.get('chg-00001')).toBeUndefined();
    directory.put([anEntry()]);
    expect(directory.get('chg-00001')?.kind).toBe('charger');
    directory.put([anEntry({ name: 'Renamed', site: 'site-2' })]);
    expect(directory.get('chg-00001')).toMatchObject({ name: 'Renamed', site: 'site-2' });
    expect(directory.size).toBe(1);
  });

  it('moves a device to a new path, grid id included, and ignores unknown ids', () => {
    const directory = new DeviceDirectory();
    directory.put([anEntry()]);
    directory.place('chg-00001', G1);
    directory.place('cam-00404', G1);
    expect(directory.get('chg-00001')).toMatchObject({ path: G1, gridId: 'D1-S1-C1-G1' });
    expect(directory.get('cam-00404')).toBeUndefined();
  });

  it('after a full load holds exactly what was loaded', () => {
    const directory = new DeviceDirectory();
    directory.put([anEntry({ id: 'chg-00001' }), anEntry({ id: 'chg-00002' })]);
    directory.replaceAll([anEntry({ id: 'chg-00002', site: 'moved' }), anEntry({ id: 'chg-00003' })]);
    expect([...directory.values()].map((e) => e.id).sort()).toEqual(['chg-00002', 'chg-00003']);
    expect(directory.get('chg-00002')?.site).toBe('moved');
  });
});
