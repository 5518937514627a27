import {
  districtGeoJson,
  fleetGeoJson,
  generateDistrict,
  generateFleet,
  type SimDevice,
} from '@gridwatch/simulators';
import { type Gridwatch, startGridwatch } from '../../../server/src/main.ts';
import { testServerEnv } from '../../support/backends.ts';
import { api, login } from '../../support/clients.ts';

export interface DistrictServer {
  gw: Gridwatch;
  url: string;
  mqttUrl: string;
  env: Record<string, string>;
  adminToken: string;
  devices: SimDevice[];
  /** Stops the server and starts it again on the same data directory and ports. */
  restart(opts?: { downMs?: number }): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The simulated district (generateDistrict) imported through the REST API, with a share of
 * its fleet: the same regions, roads and sites the demo shows.
 */
export async function startDistrictServer(opts: { deviceShare?: number } = {}): Promise<DistrictServer> {
  const { env, cleanup } = await testServerEnv('embedded', { SEED_DEMO_USERS: 'true' });
  let gw = await startGridwatch({ env });
  // Pin the ports so a restart comes back where the browser and devices expect it.
  env.PORT = new URL(gw.url).port;
  env.EMBEDDED_MQTT_PORT = new URL(gw.context.mqtt.url).port;
  const district = generateDistrict();
  const share = opts.deviceShare ?? 0.25;
  const fleet = generateFleet(district);
  const devices = fleet.filter((_, i) => i % Math.round(1 / share) === 0);
  const adminToken = await login(gw.url);
  const client = api(gw.url, adminToken);
  const regions = await client.post('/api/regions/import', districtGeoJson(district));
  if (regions.status !== 200)
    throw new Error(`region import: ${regions.status} ${JSON.stringify(regions.body)}`);
  const imported = await client.post('/api/devices/import', fleetGeoJson(devices));
  if (imported.status !== 200)
    throw new Error(`device import: ${imported.status} ${JSON.stringify(imported.body)}`);
  let running = true;
  const server: DistrictServer = {
    gw,
    url: gw.url,
    mqttUrl: gw.context.mqtt.url,
    env,
    adminToken,
    devices,
    async kill() {
      if (!running) return;
      running = false;
      await gw.close();
    },
    async start() {
      gw = await startGridwatch({ env });
      server.gw = gw;
      running = true;
    },
    async restart({ downMs = 0 } = {}) {
      await server.kill();
      if (downMs) await new Promise((r) => setTimeout(r, downMs));
      await server.start();
    },
    async close() {
      await server.kill().catch(() => {});
      await cleanup();
    },
  };
  return server;
}
