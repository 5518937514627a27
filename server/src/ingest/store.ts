import type { DeviceKind } from '@gridwatch/devices';
import type pg from 'pg';
import type { DeviceStatusChange, StoredEvent, StoredReading } from '../plugins/bus.ts';
import { checkDevice, type DeadLetterReason, type EventMessage, type TelemetryMessage } from './decode.ts';
import { type IngestItem, payloadExcerpt } from './item.ts';

export type Outcome = 'stored' | 'duplicate' | 'dead-letter';

/** What one committed batch did, for the bus, metrics and the device cache. */
export interface BatchResult {
  readings: StoredReading[];
  events: StoredEvent[];
  statusChanges: DeviceStatusChange[];
  deadLetters: Array<{ reason: DeadLetterReason; channel: string }>;
  outcomes: Array<{ channel: string; outcome: Outcome }>;
  /** Devices found in the database that the cache did not know. */
  discovered: Array<{ id: string; kind: DeviceKind }>;
  /** Telemetry per device, for `last_seen`. */
  seen: Map<string, number>;
}

const INSERT_TELEMETRY = `
  INSERT INTO telemetry (device_id, ts, seq, data)
  SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[], $4::jsonb[])
  ON CONFLICT DO NOTHING
  RETURNING device_id, ts, seq`;

const INSERT_EVENTS = `
  INSERT INTO events (device_id, ts, seq, type, data)
  SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[], $4::text[], $5::jsonb[])
  ON CONFLICT DO NOTHING
  RETURNING device_id, ts, seq`;

// Only rows whose state changes come back: the bus hears of changes, not of repeats.
const UPDATE_STATUS = `
  UPDATE devices d SET online = u.online
  FROM unnest($1::text[], $2::boolean[]) AS u(id, online)
  WHERE d.id = u.id AND d.online IS DISTINCT FROM u.online
  RETURNING d.id, d.kind, d.online`;

const INSERT_DEAD_LETTERS = `
  INSERT INTO dead_letters (reason, detail, topic, device_id, payload, size_bytes)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[])`;

const key = (deviceId: string, ts: number, seq: number) => `${deviceId}|${ts}|${seq}`;

/** Which of `rows` came back from RETURNING: those are fresh, the rest were already stored. */
function freshOf<T extends TelemetryMessage | EventMessage>(
  messages: T[],
  returned: Array<{ device_id: string; ts: Date; seq: number }>,
): boolean[] {
  const fresh = new Set(returned.map((r) => key(r.device_id, r.ts.getTime(), Number(r.seq))));
  // A reading redelivered within one batch is fresh once.
  return messages.map((m) => fresh.delete(key(m.deviceId, m.ts, m.seq)));
}

/**
 * Writes one batch in one transaction on `client`: confirms devices the cache did not
 * know, inserts telemetry and events idempotently, applies status changes, records dead
 * letters. Throws on any database error (the caller retries or splits).
 */
export async function writeBatch(client: pg.PoolClient, items: IngestItem[]): Promise<BatchResult> {
  const result: BatchResult = {
    readings: [],
    events: [],
    statusChanges: [],
    deadLetters: [],
    outcomes: [],
    discovered: [],
    seen: new Map(),
  };
  await client.query('BEGIN');
  try {
    const unconfirmed = [
      ...new Set(
        items
          .filter((i) => i.message && i.rejection?.reason === 'unknown-device')
          .map((i) => i.message!.deviceId),
      ),
    ];
    const found = new Map<string, DeviceKind>();
    if (unconfirmed.length > 0) {
      const rows = await client.query<{ id: string; kind: DeviceKind }>(
        'SELECT id, kind FROM devices WHERE id = ANY($1::text[])',
        [unconfirmed],
      );
      for (const row of rows.rows) {
        found.set(row.id, row.kind);
        result.discovered.push(row);
      }
    }

    const telemetry: TelemetryMessage[] = [];
    const events: EventMessage[] = [];
    const accepted: IngestItem[] = [];
    const statuses = new Map<string, IngestItem>();
    const dead: IngestItem[] = [];
    for (const item of items) {
      let rejection = item.rejection;
      if (item.message && rejection?.reason === 'unknown-device' && found.has(item.message.deviceId)) {
        rejection = checkDevice(item.message, found.get(item.message.deviceId));
      }
      if (rejection || !item.message) {
        dead.push(rejection === item.rejection ? item : { ...item, rejection });
        continue;
      }
      accepted.push(item);
      const m = item.message;
      if (m.channel === 'telemetry') telemetry.push(m);
      else if (m.channel === 'event') events.push(m);
      else statuses.set(m.deviceId, item); // the last status of a device in the batch wins
    }

    if (telemetry.length > 0) {
      const res = await client.query<{ device_id: string; ts: Date; seq: number }>(INSERT_TELEMETRY, [
        telemetry.map((m) => m.deviceId),
        telemetry.map((m) => new Date(m.ts).toISOString()),
        telemetry.map((m) => m.seq),
        telemetry.map((m) => JSON.stringify(m.data)),
      ]);
      freshOf(telemetry, res.rows).forEach((fresh, i) => {
        const m = telemetry[i]!;
        result.outcomes.push({ channel: 'telemetry', outcome: fresh ? 'stored' : 'duplicate' });
        if (fresh)
          result.readings.push({ deviceId: m.deviceId, kind: m.kind, ts: m.ts, seq: m.seq, data: m.data });
      });
    }
    for (const item of accepted) {
      if (item.message?.channel === 'telemetry') {
        const prev = result.seen.get(item.message.deviceId) ?? 0;
        result.seen.set(item.message.deviceId, Math.max(prev, item.receivedAt));
      }
    }

    if (events.length > 0) {
      const res = await client.query<{ device_id: string; ts: Date; seq: number }>(INSERT_EVENTS, [
        events.map((m) => m.deviceId),
        events.map((m) => new Date(m.ts).toISOString()),
        events.map((m) => m.seq),
        events.map((m) => m.type),
        events.map((m) => JSON.stringify(m.data)),
      ]);
      freshOf(events, res.rows).forEach((fresh, i) => {
        const m = events[i]!;
        result.outcomes.push({ channel: 'event', outcome: fresh ? 'stored' : 'duplicate' });
        if (fresh)
          result.events.push({ deviceId: m.deviceId, kind: m.kind, ts: m.ts, seq: m.seq, data: m.data });
      });
    }

    if (statuses.size > 0) {
      const latest = [...statuses.values()].map((i) => i.message!) as Array<
        Extract<IngestItem['message'], { channel: 'status' }>
      >;
      const res = await client.query<{ id: string; kind: DeviceKind; online: boolean }>(UPDATE_STATUS, [
        latest.map((m) => m.deviceId),
        latest.map((m) => m.online),
      ]);
      const byId = new Map(latest.map((m) => [m.deviceId, m]));
      for (const row of res.rows) {
        const m = byId.get(row.id)!;
        result.statusChanges.push({
          deviceId: row.id,
          kind: row.kind,
          online: row.online,
          at: m.at,
          reason: m.reason,
        });
      }
      for (const item of accepted) {
        if (item.message?.channel === 'status')
          result.outcomes.push({ channel: 'status', outcome: 'stored' });
      }
    }

    if (dead.length > 0) {
      await client.query(INSERT_DEAD_LETTERS, [
        dead.map((i) => i.rejection!.reason),
        dead.map((i) => i.rejection!.detail.replaceAll('\u0000', '\uFFFD')),
        dead.map((i) => i.topic.replaceAll('\u0000', '\uFFFD')),
        dead.map((i) => i.rejection!.deviceId),
        dead.map((i) => payloadExcerpt(i.payload)),
        dead.map((i) => i.payload.byteLength),
      ]);
      for (const i of dead) {
        const channel = i.channel;
        result.deadLetters.push({ reason: i.rejection!.reason, channel });
        result.outcomes.push({ channel, outcome: 'dead-letter' });
      }
    }
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** Marks when devices were last heard from (batched by the caller: not per message). */
export async function updateLastSeen(pool: pg.Pool, seen: Map<string, number>): Promise<void> {
  const ids = [...seen.keys()].sort(); // one lock order across instances
  await pool.query(
    `UPDATE devices d SET last_seen = GREATEST(d.last_seen, u.at)
     FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at)
     WHERE d.id = u.id`,
    [ids, ids.map((id) => new Date(seen.get(id)!).toISOString())],
  );
}
