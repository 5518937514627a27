import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDistrict } from '../../simulators/src/district/generate.ts';
import { generateFleet } from '../../simulators/src/fleet/generate.ts';
import { createModel } from '../../simulators/src/models/create.ts';
import { deviceLink } from '../../simulators/src/runner/links.ts';
import {
  availableBackends,
  startTestServer,
  TEST_FLEET_SECRET,
  type TestServer,
  uniqueId,
} from '../support/backends.ts';
import { api, login, waitFor } from '../support/clients.ts';

/**
 * A simulated device speaks MQTT 5 where the broker does (Mosquitto), so a refused publish
 * comes back with a reason code, and falls back to 3.1.1 once where it does not (the
 * embedded Aedes); either way its readings are stored.
 */
describe.each(availableBackends())('simulated device link on %s', (backend) => {
  let server: TestServer;
  let admin: ReturnType<typeof api>;
  const id = uniqueId('chg');

  beforeAll(async () => {
    server = await startTestServer(backend);
    admin = api(server.url, await login(server.url));
    const csv = ['id,kind,name,lon,lat,site', `${id},charger,${id},108.94,34.27,`].join('\n');
    const res = await admin.post('/api/devices/import', csv, 'text/csv');
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
  });

  it(`connects (${backend === 'embedded' ? 'falling back to MQTT 3.1.1' : 'on MQTT 5'}) and its reading is stored`, async () => {
    const errors: Error[] = [];
    let fallbacks = 0;
    // A charger of the simulated fleet under this test's id: its model makes the payload.
    const template = generateFleet(generateDistrict()).find((d) => d.kind === 'charger');
    if (!template) throw new Error('the simulated fleet has no charger');
    const device = { ...template, id };
    const link = deviceLink(device, {
      mqttUrl: server.mqttUrl,
      fleetSecret: TEST_FLEET_SECRET,
      now: Date.now,
      onError: (err) => errors.push(err),
      onFallback: () => fallbacks++,
    });
    try {
      await waitFor(() => link.connected, 30_000, 'the link to connect');
      const reading = createModel(device, 1).report(Date.now())[0];
      if (!reading) throw new Error('the model reported nothing');
      const acked = await new Promise<Error | undefined>((resolve) =>
        link.publish('telemetry', reading.payload, false, resolve),
      );
      expect(acked).toBeUndefined();
      expect(fallbacks).toBe(backend === 'embedded' ? 1 : 0);
      expect(errors).toEqual([]);
      await waitFor(
        async () => (await admin.get(`/api/devices/${id}`)).body.lastSeen !== null,
        30_000,
        'the reading to be stored',
        500,
      );
    } finally {
      await link.close();
    }
  });
});
