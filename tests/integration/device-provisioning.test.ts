import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWAIT_PROVISION_MAX } from '../../server/src/registry/provisioning.ts';
import { availableBackends, startTestServer, type TestServer, uniqueId } from '../support/backends.ts';
import { api, connectDevice, login, waitFor } from '../support/clients.ts';

const REFUSED = /not authori[sz]ed|bad user ?name or password/i;

/**
 * An installer imports devices and switches them on: the import's answer and the device list
 * say which devices can log in to the broker, and a device the API calls ready is accepted
 * at once. On Mosquitto the accounts go into its password file (MQTT_ACCOUNTS_FILE), which
 * it re-reads on SIGHUP; the embedded broker checks derived passwords itself.
 */
describe.each(availableBackends())('device provisioning on %s', (backend) => {
  let server: TestServer;
  let admin: ReturnType<typeof api>;
  const p = uniqueId('pv');
  const csv = (ids: string[]) =>
    ['id,kind,name,lon,lat,site', ...ids.map((id) => `${id},charger,${id},108.94,34.27,`)].join('\n');
  const count = async (state: string, q: string) =>
    (await admin.get(`/api/devices?provisioning=${state}&q=${q}&limit=1`)).body.total as number;

  beforeAll(async () => {
    server = await startTestServer(backend);
    admin = api(server.url, await login(server.url));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a small import answers once its devices are ready, and each can log in at once', async () => {
    const ids = [`${p}-s1`, `${p}-s2`, `${p}-s3`];
    const res = await admin.post('/api/devices/import', csv(ids), 'text/csv');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      imported: 3,
      provisioningInBackground: false,
      provisioning: { ready: 3, pending: 0, failed: 0 },
      provisioningFailures: [],
    });
    const device = (await admin.get(`/api/devices/${ids[2]}`)).body;
    expect(device).toMatchObject({ id: ids[2], provisioning: 'ready', provisioningError: null });
    const client = await connectDevice(server.mqttUrl, 'charger', ids[2]!, { will: false });
    await client.endAsync();
  });

  it('a large import: refused before, pending in the answer, accepted once the device list says ready', async () => {
    const n = AWAIT_PROVISION_MAX + 50;
    const ids = Array.from({ length: n }, (_, i) => `${p}-b${String(i).padStart(4, '0')}`);
    const batch = `${p}-b`;
    const last = ids.at(-1)!;
    // The embedded broker checks derived passwords and knows no accounts: nothing to refuse.
    if (backend !== 'embedded')
      await expect(connectDevice(server.mqttUrl, 'charger', last, { will: false })).rejects.toThrow(REFUSED);

    const started = Date.now();
    const res = await admin.post('/api/devices/import', csv(ids), 'text/csv');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      imported: n,
      provisioningInBackground: true,
      provisioning: { ready: 0, pending: n, failed: 0 },
    });
    const answered = Date.now();
    expect((await admin.get(`/api/devices?provisioning=bogus`)).status).toBe(400);

    await waitFor(async () => (await count('ready', batch)) === n, 60_000, `all ${n} devices ready`, 100);
    const readyAfterS = (Date.now() - answered) / 1000;
    console.log(
      `[provisioning] ${backend}: ${n} devices ready ${readyAfterS.toFixed(2)} s after the import answer (answer took ${((answered - started) / 1000).toFixed(2)} s)`,
    );
    expect(await count('pending', batch)).toBe(0);
    expect(await count('failed', batch)).toBe(0);
    // Ready means ready: no retry.
    for (const id of [ids[0]!, last]) {
      const client = await connectDevice(server.mqttUrl, 'charger', id, { will: false });
      expect(client.connected).toBe(true);
      await client.endAsync();
    }
  });
});
