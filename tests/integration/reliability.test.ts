import { execSync } from 'node:child_process';
import type { MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  availableBackends,
  type BackendName,
  startTestServer,
  testServerEnv,
  uniqueId,
} from '../support/backends.ts';
import { waitFor } from '../support/clients.ts';
import { type ServerProcess, serverProcess } from '../support/server-process.ts';
import {
  devicePublisher,
  importDevices,
  readingGaps,
  streamReadings,
  type TestDevice,
  telemetryCount,
} from './ingest-fixtures.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

const processCleanups: Array<() => Promise<unknown>> = [];

/** A server in a child process and a pool on its database. */
async function processWithDevice(backend: BackendName) {
  const { env, cleanup } = await testServerEnv(backend);
  const proc = await serverProcess(env);
  processCleanups.push(cleanup, () => proc.kill());
  await proc.start();
  const pool = new pg.Pool({ connectionString: proc.databaseUrl, max: 1 });
  pool.on('error', () => {});
  processCleanups.push(() => pool.end());
  return { proc, pool, backend };
}

/** A registered device publishing to the child server. */
async function newDevice(ctx: { proc: ServerProcess; pool: pg.Pool; backend: BackendName }) {
  const device: TestDevice = { id: uniqueId('cam'), kind: 'camera' };
  await importDevices(ctx.proc.url, [device]);
  const pub = await devicePublisher(ctx.proc.mqttUrl, device);
  cleanups.push(() => pub.endAsync(true));
  return { device, pub };
}

const count = (pool: pg.Pool, id: string) => telemetryCount(pool, id).catch(() => -1);

async function expectExactlyOnce(pool: pg.Pool, device: TestDevice, total: number) {
  await waitFor(async () => (await count(pool, device.id)) >= total, 60_000, `${total} rows`);
  expect(await readingGaps(pool, device.id, total)).toEqual({ missing: [], duplicated: 0, rows: total });
}

/** Stops or starts a shared service; a broker with a large persistence file takes a while. */
function run(cmd: string) {
  execSync(cmd, { stdio: 'pipe', timeout: 150_000 });
}

describe.each(availableBackends())('reliability on %s', (backend) => {
  const real = backend === 'real';

  // One server process per backend for both cases: starting one costs seconds.
  describe('server process', () => {
    let ctx: Awaited<ReturnType<typeof processWithDevice>>;
    beforeAll(async () => {
      ctx = await processWithDevice(backend);
    });
    afterAll(async () => {
      for (const c of processCleanups.splice(0).reverse()) await c().catch(() => {});
    });

    // On the embedded default the broker dies with the server: a reading a device saw
    // acknowledged must already be committed then (its PUBACK waits for ingest's, which
    // waits for the commit). On the real backend the broker keeps it and redelivers it.
    it('SIGKILL of the server while devices stream, then a restart: every reading a device saw acknowledged is stored exactly once', async () => {
      const { proc, pool } = ctx;
      const fleet = [await newDevice(ctx), await newDevice(ctx), await newDevice(ctx)];
      const total = 1000;
      const streams = fleet.map(({ device, pub }) => streamReadings(pub, device, total, 250));
      cleanups.push(async () => {
        for (const s of streams) s.stop();
      });
      for (const { device } of fleet) {
        await waitFor(async () => (await count(pool, device.id)) >= 200, 60_000, 'first rows');
      }
      await proc.kill();
      const ackedAtKill = streams.map((s) => s.ackedSeqs());
      await proc.start();
      await Promise.all(streams.map((s) => s.done));
      let acknowledgedBeforeKill = 0;
      for (const [i, { device }] of fleet.entries()) {
        acknowledgedBeforeKill += ackedAtKill[i]!.size;
        await waitFor(async () => (await count(pool, device.id)) >= total, 60_000, `${total} rows`);
        const gaps = await readingGaps(pool, device.id, total);
        const lost = gaps.missing.filter((seq) => ackedAtKill[i]!.has(seq));
        expect({ device: device.id, lost, duplicated: gaps.duplicated, rows: gaps.rows }).toEqual({
          device: device.id,
          lost: [],
          duplicated: 0,
          rows: total,
        });
      }
      // Not an empty claim: the devices had readings acknowledged when the server died.
      expect(acknowledgedBeforeKill).toBeGreaterThanOrEqual(600);
      expect((await fetch(`${proc.url}/readyz`)).status).toBe(200);
    }, 300_000);

    it('graceful shutdown (SIGTERM) mid-stream, then a restart: every message stored exactly once', async () => {
      const { proc, pool } = ctx;
      if (!proc.running) await proc.start();
      const { device, pub } = await newDevice(ctx);
      const total = 1500;
      const stream = streamReadings(pub, device, total, 500);
      cleanups.push(async () => stream.stop());
      await waitFor(async () => (await count(pool, device.id)) >= 300, 30_000, 'first rows');
      expect(await proc.stop()).toBe(0);
      await proc.start();
      await stream.done;
      await expectExactlyOnce(pool, device, total);
    }, 300_000);
  });

  const pgCmds = process.env.TEST_PG_STOP_CMD && process.env.TEST_PG_START_CMD;
  it.skipIf(!real || !pgCmds)(
    real
      ? 'PostgreSQL stopped for 20 s mid-stream: every message stored exactly once, recovery without restart'
      : 'PostgreSQL stopped for 20 s (skipped: the embedded database lives in the server process; real backend only)',
    async () => {
      // A small INGEST_MAX_PENDING: the outage also fills it, so ingest stops reading and
      // the broker keeps the rest.
      const maxPending = 500;
      const server = await startTestServer(backend, { INGEST_MAX_PENDING: String(maxPending) });
      cleanups.push(() => server.close());
      const device: TestDevice = { id: uniqueId('cam'), kind: 'camera' };
      await importDevices(server.url, [device]);
      const pub: MqttClient = await devicePublisher(server.mqttUrl, device);
      cleanups.push(() => pub.endAsync(true));
      const total = 3000;
      const stream = streamReadings(pub, device, total, 100); // about 30 s of readings
      cleanups.push(async () => stream.stop());
      await waitFor(async () => (await count(server.pool, device.id)) >= 200, 30_000, 'first rows');
      let restarted = false;
      try {
        run(process.env.TEST_PG_STOP_CMD!);
        const stoppedAt = Date.now();
        await waitFor(
          async () => (await fetch(`${server.url}/readyz`)).status === 503,
          30_000,
          '/readyz 503',
        );
        const gauge = async (name: string) => {
          const text = await (await fetch(`${server.url}/metrics`)).text();
          return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
        };
        await waitFor(async () => (await gauge('gridwatch_ingest_paused')) === 1, 20_000, 'ingest paused');
        const pending = await gauge('gridwatch_ingest_pending');
        expect(pending).toBeGreaterThanOrEqual(maxPending);
        expect(pending).toBeLessThanOrEqual(maxPending + 1); // memory stays bounded
        await new Promise((r) => setTimeout(r, Math.max(0, 20_000 - (Date.now() - stoppedAt))));
        run(process.env.TEST_PG_START_CMD!);
        restarted = true;
      } finally {
        if (!restarted) run(process.env.TEST_PG_START_CMD!);
      }
      await stream.done;
      await expectExactlyOnce(server.pool, device, total);
      await waitFor(
        async () => (await fetch(`${server.url}/readyz`)).status === 200,
        30_000,
        '/readyz 200 again',
      );
    },
  );

  const mqCmds = process.env.TEST_MQTT_STOP_CMD && process.env.TEST_MQTT_START_CMD;
  it.skipIf(!real || !mqCmds)(
    real
      ? 'broker restarted mid-stream: ingest reconnects by itself, every message stored exactly once'
      : 'broker restarted mid-stream (skipped: the embedded broker lives in the server process; see the SIGKILL case)',
    async () => {
      const server = await startTestServer(backend);
      cleanups.push(() => server.close());
      const device: TestDevice = { id: uniqueId('cam'), kind: 'camera' };
      await importDevices(server.url, [device]);
      const pub = await devicePublisher(server.mqttUrl, device);
      cleanups.push(() => pub.endAsync(true));
      const total = 1500;
      const stream = streamReadings(pub, device, total, 300);
      cleanups.push(async () => stream.stop());
      await waitFor(async () => (await count(server.pool, device.id)) >= 200, 30_000, 'first rows');
      let restarted = false;
      try {
        run(process.env.TEST_MQTT_STOP_CMD!);
        await waitFor(
          async () => (await fetch(`${server.url}/readyz`)).status === 503,
          30_000,
          '/readyz 503',
        );
        await new Promise((r) => setTimeout(r, 2000));
        run(process.env.TEST_MQTT_START_CMD!);
        restarted = true;
      } finally {
        if (!restarted) run(process.env.TEST_MQTT_START_CMD!);
      }
      await waitFor(async () => (await fetch(`${server.url}/readyz`)).status === 200, 120_000, 'reconnected');
      await stream.done;
      await expectExactlyOnce(server.pool, device, total);
    },
  );
});
