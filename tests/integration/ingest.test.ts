import { deviceTopic } from '@gridwatch/devices';
import { devicePassword } from '@gridwatch/devices/credentials';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceStatusChange, StoredEvent, StoredReading } from '../../server/src/infra/bus.ts';
import {
  availableBackends,
  startTestServer,
  TEST_FLEET_SECRET,
  type TestServer,
  uniqueId,
} from '../support/backends.ts';
import { waitFor } from '../support/clients.ts';
import {
  aCameraEvent,
  aCameraReading,
  devicePublisher,
  importDevices,
  metricValue,
  publishAll,
  serverAccountPublisher,
  type TestDevice,
  telemetryCount,
  telemetryTopic,
} from './ingest-fixtures.ts';

describe.each(availableBackends())('ingest on %s', (backend) => {
  let server: TestServer;
  const clients: MqttClient[] = [];
  const readings: StoredReading[] = [];
  const events: StoredEvent[] = [];
  const statuses: DeviceStatusChange[] = [];

  beforeAll(async () => {
    server = await startTestServer(backend);
    const { bus } = server.gw.app;
    bus.on('readings', (r) => readings.push(...r));
    bus.on('device-events', (e) => events.push(...e));
    bus.on('device-status', (s) => statuses.push(s));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
    await server?.close();
  });

  async function devices(...kinds: TestDevice['kind'][]): Promise<TestDevice[]> {
    const list = kinds.map((kind) => ({ id: uniqueId(kind.slice(0, 3)), kind }));
    await importDevices(server.url, list);
    return list;
  }
  const metric = (name: string, labels: Record<string, string>) =>
    metricValue(server.gw.app.metrics, name, labels);

  it('stores N messages as exactly N rows, and the same N again adds nothing', async () => {
    const [cam] = await devices('camera');
    const device = cam!;
    const pub = await devicePublisher(server.mqttUrl, device);
    clients.push(pub);
    const n = 600;
    const batch = Array.from(
      { length: n },
      (_, seq) => [telemetryTopic(device), aCameraReading(seq)] as [string, unknown],
    );
    const dupBefore = await metric('gridwatch_ingest_messages_total', {
      channel: 'telemetry',
      result: 'duplicate',
    });

    await publishAll(pub, batch);
    await waitFor(async () => (await telemetryCount(server.pool, device.id)) === n, 30_000, `${n} rows`);
    const mine = () => readings.filter((r) => r.deviceId === device.id);
    await waitFor(() => mine().length === n, 10_000, 'readings on the bus');
    expect(new Set(mine().map((r) => r.seq)).size).toBe(n);

    // A device that resends everything (e.g. after losing its acknowledgements).
    await publishAll(pub, batch);
    await waitFor(
      async () =>
        (await metric('gridwatch_ingest_messages_total', { channel: 'telemetry', result: 'duplicate' })) -
          dupBefore >=
        n,
      30_000,
      'duplicates counted',
    );
    expect(await telemetryCount(server.pool, device.id)).toBe(n);
    expect(mine()).toHaveLength(n); // detection never sees a reading twice
    const stored = await server.pool.query<{ data: { seq: number; fps: number } }>(
      'SELECT data FROM telemetry WHERE device_id = $1 AND seq = 7',
      [device.id],
    );
    expect(stored.rows[0]?.data).toMatchObject({ seq: 7, fps: 25 });
    const sizes = server.gw.app.metrics.getSingleMetric('gridwatch_ingest_batch_size') as unknown as {
      get(): Promise<{ values: Array<{ metricName?: string; value: number }> }>;
    };
    const counts = (await sizes.get()).values.filter((v) => v.metricName?.endsWith('_count'));
    // Batching happened: fewer commits than messages.
    expect(counts[0]!.value).toBeLessThan(2 * n);

    // Redelivered and new readings mixed in the same batches: only the new ones are fresh.
    const fresh = Array.from(
      { length: 100 },
      (_, i) => [telemetryTopic(device), aCameraReading(n + i)] as [string, unknown],
    );
    await publishAll(
      pub,
      fresh.flatMap((m, i) => [batch[i]!, m]),
    );
    await waitFor(
      async () =>
        (await metric('gridwatch_ingest_messages_total', { channel: 'telemetry', result: 'duplicate' })) -
          dupBefore >=
        n + 100,
      30_000,
      'the redelivered ones counted as duplicates',
    );
    await waitFor(() => mine().length >= n + 100, 30_000, 'the new readings on the bus');
    expect(mine()).toHaveLength(n + 100);
    expect(await telemetryCount(server.pool, device.id)).toBe(n + 100);
    expect(new Set(mine().map((r) => r.seq)).size).toBe(n + 100);
  });

  it('applies status and last will to devices.online, stores events, and marks last_seen', async () => {
    const [cam] = await devices('camera');
    const device = cam!;
    const statusTopic = deviceTopic(device.kind, device.id, 'status');
    // The device's own connection, with its last will, as a real device would connect.
    const dev = await mqtt.connectAsync(server.mqttUrl, {
      clientId: `${device.id}-will`,
      username: device.id,
      password: devicePassword(TEST_FLEET_SECRET, device.id),
      reconnectPeriod: 0,
      keepalive: 5,
      will: {
        topic: statusTopic,
        payload: Buffer.from('{"state":"offline","reason":"last-will"}'),
        qos: 1,
        retain: true,
      },
    });
    await new Promise<void>((resolve, reject) =>
      dev.publish(
        statusTopic,
        JSON.stringify({ state: 'online', ts: Date.now() }),
        { qos: 1, retain: true },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
    await publishAll(dev, [
      [
        deviceTopic(device.kind, device.id, 'event'),
        aCameraEvent(1, { detail: '<script>alert(1)</script>' }),
      ],
      [telemetryTopic(device), aCameraReading(1)],
    ]);
    const online = async () =>
      (await server.pool.query<{ online: boolean }>('SELECT online FROM devices WHERE id = $1', [device.id]))
        .rows[0]?.online;
    await waitFor(async () => (await online()) === true, 15_000, 'online');
    await waitFor(() => events.some((e) => e.deviceId === device.id), 15_000, 'event on the bus');
    const ev = await server.pool.query<{ type: string; data: { detail: string } }>(
      'SELECT type, data FROM events WHERE device_id = $1',
      [device.id],
    );
    expect(ev.rows).toEqual([
      { type: 'tamper', data: expect.objectContaining({ detail: '<script>alert(1)</script>' }) },
    ]);

    // The device drops off the network: the broker publishes its last will.
    dev.stream.destroy();
    await waitFor(async () => (await online()) === false, 30_000, 'offline by last will');
    const mine = statuses.filter((s) => s.deviceId === device.id);
    expect(mine.map((s) => [s.online, s.reason])).toEqual([
      [true, null],
      [false, 'last-will'],
    ]);
    await waitFor(
      async () =>
        (
          await server.pool.query('SELECT 1 FROM devices WHERE id = $1 AND last_seen IS NOT NULL', [
            device.id,
          ])
        ).rowCount === 1,
      20_000,
      'last_seen',
    );
  });

  it('dead-letters every bad input with its reason, isolates a poison row, and keeps serving', async () => {
    const [cam, chg] = await devices('camera', 'charger');
    const device = cam!;
    const tag = uniqueId('x');
    const ghost = { id: uniqueId('ghost'), kind: 'camera' as const };
    const sqlTopic = `gw/camera/${tag}'; DROP TABLE devices;--/telemetry`;
    const htmlTopic = `gw/camera/<img src=x onerror=alert('${tag}')>/telemetry`;
    const yearAhead = Date.now() + 365 * 86_400_000;
    const cases: Array<[string, string, string | object]> = [
      ['bad-json', telemetryTopic(device), `{"ts": ${Date.now()}, "seq": 1, `],
      ['schema-violation', telemetryTopic(device), aCameraReading(2, { fps: 'fast' })],
      ['unknown-device', telemetryTopic(ghost), aCameraReading(3)],
      [
        'kind-mismatch',
        deviceTopic('charger', device.id, 'event'),
        { ts: Date.now(), seq: 4, type: 'smoke' },
      ],
      ['bad-device-id', sqlTopic, aCameraReading(5)],
      ['bad-device-id', htmlTopic, aCameraReading(6)],
      ['future-timestamp', telemetryTopic(device), aCameraReading(7, { ts: yearAhead })],
      ['past-timestamp', telemetryTopic(device), aCameraReading(9, { ts: 0 })],
      // No meter shows 1e308 kWh; stored, it overflowed every average it joined.
      [
        'schema-violation',
        telemetryTopic(chg!),
        {
          ts: Date.now(),
          seq: 1,
          voltageV: 220,
          currentA: 1,
          powerKw: 0.2,
          energyKwh: 1e308,
          temperatureC: 30,
          leakageMa: 1,
          ports: [],
        },
      ],
    ];
    const pub = await serverAccountPublisher(backend, server.mqttUrl);
    clients.push(pub);
    // A NUL in a string is valid JSON but jsonb refuses it: the database, not the decoder,
    // rejects that row. The good events sent with it must still be stored.
    const eventTopic = deviceTopic('charger', chg!.id, 'event');
    const burst: Array<[string, unknown]> = [
      ...cases.map(([, topic, payload]) => [topic, payload] as [string, unknown]),
      [eventTopic, { ts: Date.now(), seq: 10, type: 'smoke' }],
      [eventTopic, { ts: Date.now(), seq: 11, type: 'leakage', detail: `bad\u0000${tag}` }],
      [eventTopic, { ts: Date.now(), seq: 12, type: 'door-open' }],
    ];
    await publishAll(pub, burst);

    const deadFor = async (topic: string) =>
      (
        await server.pool.query<{
          reason: string;
          payload: string;
          device_id: string | null;
          size_bytes: number;
        }>('SELECT reason, payload, device_id, size_bytes FROM dead_letters WHERE topic = $1 ORDER BY id', [
          topic,
        ])
      ).rows;
    await waitFor(async () => (await deadFor(sqlTopic)).length > 0, 20_000, 'dead letter of the SQL topic');
    for (const [reason, topic, payload] of cases) {
      const rows = await waitFor(
        async () => {
          const r = await deadFor(topic);
          return r.some((x) => x.reason === reason) ? r : null;
        },
        20_000,
        `dead letter ${reason}`,
      );
      const row = rows.find((x) => x.reason === reason)!;
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      expect(row.payload).toBe(text); // kept as inert text
      expect(row.size_bytes).toBe(Buffer.byteLength(text));
    }
    expect((await deadFor(telemetryTopic(ghost)))[0]?.device_id).toBe(ghost.id);
    const details = async (topic: string, reason: string) =>
      (
        await server.pool.query<{ detail: string }>(
          'SELECT detail FROM dead_letters WHERE topic = $1 AND reason = $2',
          [topic, reason],
        )
      ).rows.map((r) => r.detail);
    expect(await details(telemetryTopic(chg!), 'schema-violation')).toEqual([
      expect.stringContaining('/energyKwh'),
    ]);
    expect(await details(telemetryTopic(device), 'past-timestamp')).toEqual([
      expect.stringMatching(/^ts 1970-01-01T00:00:00.000Z is \d+ s behind the server/),
    ]);
    expect(await telemetryCount(server.pool, chg!.id)).toBe(0);
    const poison = await waitFor(
      async () => (await deadFor(eventTopic)).find((r) => r.reason === 'rejected-by-database'),
      20_000,
      'poison row dead-lettered',
    );
    expect(poison.payload).toContain(tag);
    await waitFor(
      async () =>
        (await server.pool.query('SELECT seq FROM events WHERE device_id = $1 ORDER BY seq', [chg!.id])).rows
          .map((r) => Number(r.seq))
          .join() === '10,12',
      20_000,
      'the good events of the poisoned batch',
    );

    // 2 MB: Mosquitto refuses it at the edge (max_packet_size closes the publisher's
    // connection); the embedded broker passes it on and ingest dead-letters it.
    const big = JSON.stringify({ ...aCameraReading(8), pad: 'x'.repeat(2 * 1024 * 1024) });
    const bigPub = await serverAccountPublisher(backend, server.mqttUrl);
    const closed = new Promise<void>((resolve) => bigPub.once('close', () => resolve()));
    bigPub.publish(telemetryTopic(device), big, { qos: 1 });
    if (backend === 'real') {
      await closed; // refused at the edge: the broker dropped the connection
    } else {
      const rows = await waitFor(
        async () => {
          const r = await deadFor(telemetryTopic(device));
          return r.find((x) => x.reason === 'payload-too-large');
        },
        20_000,
        'payload-too-large',
      );
      expect(rows.size_bytes).toBe(Buffer.byteLength(big));
      expect(rows.payload.length).toBeLessThanOrEqual(4096);
    }
    await bigPub.endAsync(true).catch(() => {});

    // Still serving: the devices table is intact, a good message is stored, /readyz is 200.
    const good = await devicePublisher(server.mqttUrl, device);
    clients.push(good);
    await publishAll(good, [[telemetryTopic(device), aCameraReading(100)]]);
    await waitFor(
      async () => (await telemetryCount(server.pool, device.id)) === 1,
      15_000,
      'good message stored',
    );
    expect((await server.pool.query('SELECT count(*)::int AS n FROM devices')).rows[0].n).toBeGreaterThan(0);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect(
      await metric('gridwatch_ingest_dead_letters_total', { reason: 'bad-device-id' }),
    ).toBeGreaterThanOrEqual(2);
  });
});
