import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CATALOGUE, DEVICE_KINDS } from '@gridwatch/devices';
import { DEFAULT_SEED, generateDistrict } from '../district/generate.ts';
import { districtGeoJson } from '../district/geojson.ts';
import { ringAreaKm2 } from '../district/geometry.ts';
import { fleetCsv, fleetGeoJson } from '../fleet/export.ts';
import { generateFleet } from '../fleet/generate.ts';
import { estimateAlertRate } from '../models/faults.ts';
import { CliError, positive } from './options.ts';

export const DISTRICT_USAGE = `npm run sim -- district [--seed N] [--out FILE.geojson]       regions, roads, compounds, stations
npm run sim -- fleet [--seed N] [--scale N] [--format geojson|csv] [--out FILE]   devices (import format)`;

function write(out: string | undefined, text: string, what: string) {
  if (!out) {
    process.stdout.write(text);
    return;
  }
  writeFileSync(out, text);
  console.error(`wrote ${what} to ${out} (${(text.length / 1024).toFixed(0)} KiB)`);
}

export function districtCommand(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: { seed: { type: 'string' }, out: { type: 'string' } },
  });
  const d = generateDistrict(Math.round(positive('seed', values.seed, DEFAULT_SEED)));
  const fc = districtGeoJson(d);
  write(values.out, JSON.stringify(fc), `${fc.features.length} features`);
}

export function fleetCommand(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      scale: { type: 'string' },
      format: { type: 'string', default: 'geojson' },
      out: { type: 'string' },
    },
  });
  if (values.format !== 'geojson' && values.format !== 'csv')
    throw new CliError(`--format must be geojson or csv, got "${values.format}"`, 2);
  const seed = Math.round(positive('seed', values.seed, DEFAULT_SEED));
  const devices = generateFleet(generateDistrict(seed), {
    scale: Math.round(positive('scale', values.scale, 1)),
    seed,
  });
  write(
    values.out,
    values.format === 'csv' ? fleetCsv(devices) : JSON.stringify(fleetGeoJson(devices)),
    `${devices.length} devices`,
  );
}

export function estimateCommand(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: { scale: { type: 'string' }, seed: { type: 'string' } },
  });
  const scale = Math.round(positive('scale', values.scale, 1));
  const seed = Math.round(positive('seed', values.seed, DEFAULT_SEED));
  const d = generateDistrict(seed);
  const devices = generateFleet(d, { scale, seed });
  console.log(`${d.district.name} (${d.district.id}), ${ringAreaKm2(d.district.ring).toFixed(1)} km²`);
  console.log(`  ${d.streets.length} streets, ${d.communities.length} communities, ${d.grids.length} grids`);
  console.log(
    `  ${d.roads.length} roads, ${d.compounds.length} compounds, ${d.stations.length} service stations`,
  );
  let perSecond = 0;
  console.log(`fleet ×${scale}: ${devices.length} devices`);
  for (const kind of DEVICE_KINDS) {
    const n = devices.filter((x) => x.kind === kind).length;
    const rate = n / CATALOGUE[kind].reportingIntervalS;
    perSecond += rate;
    console.log(
      `  ${kind.padEnd(8)} ${String(n).padStart(6)}  every ${CATALOGUE[kind].reportingIntervalS} s → ${rate.toFixed(1)} msg/s`,
    );
  }
  console.log(`  total ≈ ${perSecond.toFixed(0)} telemetry messages/s at ×1 (plus events and statuses)`);
  const e = estimateAlertRate(scale);
  console.log(`alerts (random faults, averaged over a day; "maybe" alerts counted half):`);
  console.log(
    `  ≈ ${e.perMinute.toFixed(2)} alerts/min, a critical one every ${(1 / e.criticalPerMinute).toFixed(1)} min`,
  );
  const hours = e.byHour.map((v, h) => `${String(h).padStart(2, '0')}h ${v.toFixed(1)}`);
  console.log(`  by Shanghai hour (alerts/min): ${hours.join('  ')}`);
  for (const [cause, perMin] of Object.entries(e.byCause).sort((a, b) => b[1] - a[1]))
    console.log(`  ${cause.padEnd(28)} ${(perMin * 60).toFixed(1)}/h`);
}
