import type pg from 'pg';
import { createEngineState, type DeviceState, type EngineState } from './core/engine.ts';

/** Row id holding the cross-device part of the state (recent raises, open incidents). */
const CORRELATION_ROW = '*correlation';

/**
 * The saved state. Silence clocks resume where they stopped: the time the server was down
 * does not count against devices (their queued messages arrive only after the restart),
 * so a restart does not declare the whole fleet offline. `graceMs` more is given on top: after
 * a restart devices reconnect in a storm and their first reports can take a while.
 */
export async function loadState(db: pg.Pool, now: number, graceMs = 0): Promise<EngineState> {
  const state = createEngineState();
  let savedAt: number | null = null;
  const { rows } = await db.query<{ device_id: string; state: unknown }>(
    'SELECT device_id, state FROM detector_state',
  );
  for (const row of rows) {
    if (row.device_id === CORRELATION_ROW) {
      const c = row.state as Pick<EngineState, 'recent' | 'incidents'> & { savedAt?: number };
      state.recent = Array.isArray(c.recent) ? c.recent : [];
      state.incidents = Array.isArray(c.incidents) ? c.incidents : [];
      savedAt = typeof c.savedAt === 'number' ? c.savedAt : null;
    } else {
      state.devices[row.device_id] = row.state as DeviceState;
    }
  }
  const downtime = savedAt === null ? 0 : Math.max(0, now - savedAt);
  for (const d of Object.values(state.devices)) if (d.lastSeen !== null) d.lastSeen += downtime + graceMs;
  return state;
}

/** Upserts the given devices' state and the correlation row. */
export async function saveState(
  db: pg.Pool,
  state: EngineState,
  deviceIds: string[],
  now: number,
): Promise<void> {
  const ids: string[] = [CORRELATION_ROW];
  const docs: string[] = [JSON.stringify({ recent: state.recent, incidents: state.incidents, savedAt: now })];
  for (const id of deviceIds) {
    const d = state.devices[id];
    if (!d) continue;
    ids.push(id);
    docs.push(JSON.stringify(d));
  }
  await db.query(
    `INSERT INTO detector_state (device_id, state, updated_at)
     SELECT u.id, u.doc::jsonb, now() FROM unnest($1::text[], $2::text[]) AS u(id, doc)
     ON CONFLICT (device_id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
    [ids, docs],
  );
}
