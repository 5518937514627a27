import type { Alert, AlertList, CameraTelemetry, Device } from '@gridwatch/devices';
import { deviceTopic } from '@gridwatch/devices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDistrict } from '../../simulators/src/district/generate.ts';
import { districtGeoJson } from '../../simulators/src/district/geojson.ts';
import { fleetGeoJson } from '../../simulators/src/fleet/export.ts';
import { createModel } from '../../simulators/src/models/create.ts';
import { runScenario, scenarioDevices } from '../../simulators/src/scenarios/run.ts';
import {
  checkAlerts,
  expectedAlerts,
  loadScenario,
  scenarioNames,
} from '../../simulators/src/scenarios/scenario.ts';
import {
  availableBackends,
  startTestServer,
  TEST_FLEET_SECRET,
  type TestServer,
  uniqueId,
} from '../support/backends.ts';
import { api, connectDevice, login, waitFor } from '../support/clients.ts';

/**
 * Every scenario file, run through the real broker and server: the simulated devices publish
 * with their own credentials, ingest stores, detection and alerts raise. Scenarios use
 * different devices, so they run at once, accelerated (simulated time ends at the real end
 * of the run, so no reading comes from the future).
 */
const SPEED = 16;

describe.each(availableBackends())('scenarios (%s)', (backend) => {
  let server: TestServer;
  let admin: ReturnType<typeof api>;
  const prefix = uniqueId('sc');
  const names = scenarioNames();
  const devices = names.flatMap((name) => scenarioDevices(name, { idPrefix: prefix }));

  beforeAll(async () => {
    server = await startTestServer(backend);
    admin = api(server.url, await login(server.url));
    const regions = await admin.post('/api/regions/import', districtGeoJson(generateDistrict()));
    expect(regions.status).toBe(200);
    const imported = await admin.post('/api/devices/import', fleetGeoJson(devices));
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ imported: devices.length, placed: devices.length, errors: [] });

    // Ingest and detection refresh their device lists after an import: wait until a reading
    // of an imported device is accepted before the scenarios start.
    const probe = devices.find((d) => d.kind === 'camera')!;
    const client = await connectDevice(server.mqttUrl, 'camera', probe.id, { will: false });
    const payload = createModel({ ...probe, id: probe.id }, 1).report(Date.now())[0]!
      .payload as CameraTelemetry;
    await waitFor(
      async () => {
        await client.publishAsync(
          deviceTopic('camera', probe.id, 'telemetry'),
          JSON.stringify({ ...payload, ts: Date.now(), seq: Date.now() }),
          { qos: 1 },
        );
        const res = await admin.get<Device>(`/api/devices/${probe.id}`);
        return res.body.lastSeen !== null;
      },
      30_000,
      'a probe reading to be stored',
      500,
    );
    await client.endAsync();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('raises every alert each scenario expects, and no critical alert it does not', async () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'fire-risk',
        'camera-offline',
        'locker-forced-open',
        'charger-leakage',
        'mixed',
      ]),
    );
    const runs = await Promise.all(
      names.map((name) =>
        runScenario({
          scenario: name,
          mqttUrl: server.mqttUrl,
          fleetSecret: TEST_FLEET_SECRET,
          speed: SPEED,
          idPrefix: prefix,
        }),
      ),
    );
    for (const run of runs) {
      expect(run.faults.length).toBe(run.scenario.steps.length);
      expect(run.faults.every((f) => f.started)).toBe(true);
      expect(run.counts.errors).toBe(0);
      expect(run.counts.telemetry).toBeGreaterThanOrEqual(run.devices.length);
    }

    const all = async () => (await admin.get<AlertList>('/api/alerts?limit=500')).body.items;
    const ids = new Set(devices.map((d) => d.id));
    let alerts: Alert[] = [];
    await waitFor(
      async () => {
        alerts = await all();
        return names.every(
          (name) => checkAlerts(loadScenario(name), alerts, ids, { idPrefix: prefix }).missing.length === 0,
        );
      },
      30_000,
      'every expected alert',
      500,
    ).catch(() => {});

    for (const name of names) {
      const scenario = loadScenario(name);
      const check = checkAlerts(scenario, alerts, ids, { idPrefix: prefix });
      expect({ scenario: name, missing: check.missing }).toEqual({ scenario: name, missing: [] });
      expect(expectedAlerts(scenario, { idPrefix: prefix }).length).toBeGreaterThan(0);
    }
    // Every critical alert belongs to a scenario that expects or allows it.
    const unexpected = alerts
      .filter((a) => a.severity === 'critical')
      .filter((a) => {
        const owner = names.find((name) => isAbout(name, a));
        if (!owner) return true;
        return checkAlerts(loadScenario(owner), [a], ids, { idPrefix: prefix }).unexpectedCritical.length > 0;
      });
    expect(unexpected.map((a) => `${a.cause} ${a.deviceId}`)).toEqual([]);
    const fire = alerts.find((a) => a.cause === 'fire-risk' && a.deviceId === `${prefix}-chg-00069`)!;
    expect(fire.deviceIds).toEqual(expect.arrayContaining([`${prefix}-chg-00069`, `${prefix}-cam-00042`]));
    expect(fire.site).toBe('site-0042');
  });

  function isAbout(name: string, a: Alert): boolean {
    const mine = new Set(scenarioDevices(name, { idPrefix: prefix }).map((d) => d.id));
    return [a.deviceId, ...a.deviceIds].some((id) => mine.has(id));
  }
});
