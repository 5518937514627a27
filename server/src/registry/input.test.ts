import { describe, expect, it } from 'vitest';
import { parseDeviceCsv, parseDeviceGeoJson } from './input.ts';

const HEADER = 'id,kind,name,lon,lat,site,floor';

describe('parseDeviceCsv', () => {
  it('reads good rows, keeps extra columns as attributes and lists bad rows by line', () => {
    const csv = [
      HEADER,
      'cam-1,camera,North gate,108.9,34.2,site-0001,3',
      'chg-1,charger,"Shed, east",108.91,34.21,,',
      'bad id!,camera,x,1,1,,',
      'lck-1,toaster,x,1,1,,',
      'lck-2,locker,,1,1,,',
      'lck-3,locker,L3,190,1,,',
      'lck-4,locker,L4,1,,,',
      'cam-1,camera,again,1,1,,',
      'lck-5,locker,too,few',
      'lck-6,locker,No position,,,,',
    ].join('\n');
    const { devices, errors, fatal } = parseDeviceCsv(csv);
    expect(fatal).toBeNull();
    expect(devices.map((d) => d.id)).toEqual(['cam-1', 'chg-1', 'lck-6']);
    expect(devices[0]).toEqual({
      id: 'cam-1',
      kind: 'camera',
      name: 'North gate',
      lon: 108.9,
      lat: 34.2,
      site: 'site-0001',
      attributes: { floor: '3' },
    });
    expect(devices[1]).toMatchObject({ name: 'Shed, east', site: null, attributes: {} });
    expect(devices[2]).toMatchObject({ lon: null, lat: null });
    expect(errors.map((e) => [e.line, e.message.split(' ')[0]])).toEqual([
      [4, 'id'],
      [5, 'kind'],
      [6, 'name'],
      [7, 'lon'],
      [8, 'give'],
      [9, 'duplicate'],
      [10, 'expected'],
    ]);
    expect(errors[5]!.message).toBe('duplicate id (first on line 2)');
  });

  it('stores hostile strings as they are, but not NUL', () => {
    const name = `<img src=x onerror=alert(1)>'; DROP TABLE devices;--`;
    const { devices, errors } = parseDeviceCsv(
      `${HEADER}\ncam-x,camera,"${name}",1,1,,\ncam-y,camera,a\u0000b,1,1,,`,
    );
    expect(devices).toHaveLength(1);
    expect(devices[0]!.name).toBe(name);
    expect(errors).toEqual([{ line: 3, id: 'cam-y', message: 'contains a NUL character' }]);
  });

  it('keeps a __proto__ column as a plain attribute', () => {
    const { devices } = parseDeviceCsv('id,kind,name,lon,lat,__proto__\ncam-p,camera,p,1,1,{"polluted":1}');
    expect(Object.getPrototypeOf(devices[0]!.attributes)).toBe(Object.prototype);
    expect(JSON.stringify(devices[0]!.attributes)).toBe('{"__proto__":"{\\"polluted\\":1}"}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['', 'empty CSV'],
    ['id,kind,name\n', 'lacks column(s) lon, lat'],
    ['id,kind,name,lon,lat,lat\n', 'repeats column "lat"'],
    [`${HEADER}\n"open`, 'quoted field is never closed'],
  ])('refuses %j as a whole', (csv, message) => {
    expect(parseDeviceCsv(csv).fatal).toContain(message);
  });
});

describe('parseDeviceGeoJson', () => {
  const point = (props: Record<string, unknown>, coordinates: unknown = [108.9, 34.2]) => ({
    type: 'Feature',
    properties: props,
    geometry: { type: 'Point', coordinates },
  });

  it('reads Points and lists bad features by index', () => {
    const { devices, errors } = parseDeviceGeoJson({
      type: 'FeatureCollection',
      features: [
        point({ id: 'chg-7', kind: 'charger', name: 'Shed', site: 'site-0002', ports: 10 }),
        point({ id: 'cam-7', kind: 'camera', name: 'Gate' }, ['108', '34']),
        {
          type: 'Feature',
          properties: { id: 'cam-8', kind: 'camera', name: 'x' },
          geometry: { type: 'LineString', coordinates: [] },
        },
        'nonsense',
        point({ id: 'cam-9', kind: 'camera', name: 'Gate' }, [Number.NaN, 1]),
      ],
    });
    expect(devices).toEqual([
      {
        id: 'chg-7',
        kind: 'charger',
        name: 'Shed',
        lon: 108.9,
        lat: 34.2,
        site: 'site-0002',
        attributes: { ports: 10 },
      },
    ]);
    expect(errors.map((e) => e.feature)).toEqual([1, 2, 3, 4]);
  });

  it('refuses anything but a FeatureCollection', () => {
    expect(parseDeviceGeoJson({ type: 'Feature' }).fatal).toContain('FeatureCollection');
  });
});
