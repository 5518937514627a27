import type { DeviceKind } from '@gridwatch/devices';
import type pg from 'pg';
import type { DeviceStatusChange, StoredEvent, StoredReading } from '../infra/bus.ts';
import { inTransaction } from '../infra/db/transaction.ts';
import type { DirectoryEntry } from '../registry/directory.ts';
import { loadEntries, setOnline } from '../registry/repository.ts';
import {
  checkDevice,
  type DeadLetterReason,
  type EventMessage,
  type StatusMessage,
  type TelemetryMessage,
} from './decode.ts';
import { type IngestItem, payloadExcerpt } from './item.ts';

export type Outcome = 'stored' | 'duplicate' | 'dead-letter';

/** What one committed batch did, for the bus, metrics and the device directory. */
export interface BatchResult {
  readings: StoredReading[];
  events: StoredEvent[];
  statusChanges: DeviceStatusChange[];
  deadLetters: Array<{ reason: DeadLetterReason; channel: string }>;
  /** Messages per channel and outcome (counted, not listed: one metric call per kind). */
  outcomes: Array<{ channel: string; outcome: Outcome; count: number }>;
  /** Devices found in the database that the registry's directory did not know (another instance imported them). */
  discovered: DirectoryEntry[];
  /** Telemetry per device, for `last_seen`. */
  seen: Map<string, number>;
}

/**
 * Readings and events travel as ONE text parameter, a JSON array of `[deviceId, payload]`
 * built from the payloads as received (already validated): no per-row array escaping in
 * Node, one parse in PostgreSQL. Only a count comes back when every row was fresh; the keys
 * of the fresh rows only when some were already stored (a redelivery), so the usual batch
 * costs no per-row result parsing.
 */
const insertSql = (table: 'telemetry' | 'events') => `
  WITH ins AS (
    INSERT INTO ${table} (device_id, ts, seq, ${table === 'events' ? 'type, ' : ''}data)
    SELECT r->>0,
           timestamptz 'epoch' + (r->1->'ts')::numeric::float8 * interval '1 millisecond',
           (r->1->'seq')::numeric::bigint,
           ${table === 'events' ? "r->1->>'type', " : ''}r->1
    FROM jsonb_array_elements($1::text::jsonb) AS r
    ON CONFLICT DO NOTHING
    RETURNING device_id, ts, seq)
  SELECT count(*)::int AS n,
         CASE WHEN count(*) < $2 THEN
           array_agg(device_id || '|' || (extract(epoch FROM ts) * 1000)::bigint || '|' || seq)
         END AS fresh
  FROM ins`;
const INSERT_TELEMETRY = insertSql('telemetry');
const INSERT_EVENTS = insertSql('events');

const INSERT_DEAD_LETTERS = `
  INSERT INTO dead_letters (reason, detail, topic, device_id, payload, size_bytes)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[])`;

const key = (deviceId: string, ts: number, seq: number) => `${deviceId}|${ts}|${seq}`;

type Stored = { message: TelemetryMessage | EventMessage; payload: Buffer };

/** `[[deviceId, payload], ...]` as JSON text, from the received bytes. */
function rowsJson(rows: Stored[]): string {
  const parts = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    parts[i] = `[${JSON.stringify(r.message.deviceId)},${r.payload.toString('utf8')}]`;
  }
  return `[${parts.join(',')}]`;
}

/**
 * Inserts `rows` idempotently; says which were fresh. A reading redelivered within one
 * batch is fresh once.
 */
async function insertRows(client: pg.PoolClient, sql: string, rows: Stored[]): Promise<boolean[]> {
  const res = await client.query<{ n: number; fresh: string[] | null }>(sql, [rowsJson(rows), rows.length]);
  const { n, fresh } = res.rows[0]!;
  if (n === rows.length) return rows.map(() => true);
  const keys = new Set(fresh ?? []);
  return rows.map(({ message: m }) => keys.delete(key(m.deviceId, m.ts, m.seq)));
}

class Counts {
  private readonly map = new Map<string, { channel: string; outcome: Outcome; count: number }>();
  add(channel: string, outcome: Outcome): void {
    const k = `${channel}|${outcome}`;
    const entry = this.map.get(k);
    if (entry) entry.count += 1;
    else this.map.set(k, { channel, outcome, count: 1 });
  }
  list() {
    return [...this.map.values()];
  }
}

/**
 * Writes one batch atomically on `client`: confirms devices the directory did not know,
 * inserts telemetry and events idempotently, applies status changes, records dead
 * letters. A batch that needs one statement (the usual one: only readings, or only
 * events) runs it in its own implicit transaction: one round trip, no connection left
 * idle in a transaction while Node is busy. Otherwise BEGIN … COMMIT. Throws on any
 * database error (the caller retries or splits).
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
  const counts = new Counts();
  const unconfirmed = new Set<string>();
  for (const i of items) {
    if (i.message && i.rejection?.reason === 'unknown-device') unconfirmed.add(i.message.deviceId);
  }
  const anyDead = items.some((i) => (i.rejection && i.rejection.reason !== 'unknown-device') || !i.message);
  const anyStatus = items.some((i) => i.message?.channel === 'status');
  const anyTelemetry = items.some((i) => !i.rejection && i.message?.channel === 'telemetry');
  const anyEvent = items.some((i) => !i.rejection && i.message?.channel === 'event');
  const statements = (unconfirmed.size > 0 ? 2 : 0) + +anyDead + +anyStatus + +anyTelemetry + +anyEvent;
  const transaction = statements > 1;

  const write = async (): Promise<BatchResult> => {
    const found = new Map<string, DeviceKind>();
    if (unconfirmed.size > 0) {
      for (const entry of await loadEntries(client, [...unconfirmed])) {
        found.set(entry.id, entry.kind);
        result.discovered.push(entry);
      }
    }

    const telemetry: Stored[] = [];
    const events: Stored[] = [];
    const statuses = new Map<string, StatusMessage>();
    let statusCount = 0;
    const dead: IngestItem[] = [];
    for (const item of items) {
      let rejection = item.rejection;
      const m = item.message;
      if (m && rejection?.reason === 'unknown-device' && found.has(m.deviceId)) {
        rejection = checkDevice(m, found.get(m.deviceId));
      }
      if (rejection || !m) {
        dead.push(rejection === item.rejection ? item : { ...item, rejection });
        continue;
      }
      if (m.channel === 'telemetry') {
        telemetry.push({ message: m, payload: item.payload });
        const prev = result.seen.get(m.deviceId);
        if (prev === undefined || item.receivedAt > prev) result.seen.set(m.deviceId, item.receivedAt);
      } else if (m.channel === 'event') {
        events.push({ message: m, payload: item.payload });
      } else {
        statuses.set(m.deviceId, m); // the last status of a device in the batch wins
        statusCount += 1;
      }
    }

    if (telemetry.length > 0) {
      const fresh = await insertRows(client, INSERT_TELEMETRY, telemetry);
      for (let i = 0; i < telemetry.length; i++) {
        const m = telemetry[i]!.message as TelemetryMessage;
        counts.add('telemetry', fresh[i] ? 'stored' : 'duplicate');
        if (fresh[i])
          result.readings.push({ deviceId: m.deviceId, kind: m.kind, ts: m.ts, seq: m.seq, data: m.data });
      }
    }

    if (events.length > 0) {
      const fresh = await insertRows(client, INSERT_EVENTS, events);
      for (let i = 0; i < events.length; i++) {
        const m = events[i]!.message as EventMessage;
        counts.add('event', fresh[i] ? 'stored' : 'duplicate');
        if (fresh[i])
          result.events.push({ deviceId: m.deviceId, kind: m.kind, ts: m.ts, seq: m.seq, data: m.data });
      }
    }

    if (statuses.size > 0) {
      const latest = [...statuses.values()];
      const changed = await setOnline(
        client,
        latest.map((m) => m.deviceId),
        latest.map((m) => m.online),
      );
      for (const row of changed) {
        const m = statuses.get(row.id)!;
        result.statusChanges.push({
          deviceId: row.id,
          kind: row.kind,
          online: row.online,
          at: m.at,
          reason: m.reason,
        });
      }
      for (let i = 0; i < statusCount; i++) counts.add('status', 'stored');
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
        result.deadLetters.push({ reason: i.rejection!.reason, channel: i.channel });
        counts.add(i.channel, 'dead-letter');
      }
    }
    result.outcomes = counts.list();
    return result;
  };
  return transaction ? inTransaction(client, write) : write();
}
