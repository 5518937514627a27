import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createEngineState } from './core/engine.ts';
import { loadState, saveState } from './repository.ts';

/** A pool that remembers upserts and answers the select with them (unit tests only). */
function fakePool() {
  const rows = new Map<string, unknown>();
  const query = async (sql: string, params?: unknown[]) => {
    if (sql.startsWith('INSERT')) {
      const [ids, docs] = params as [string[], string[]];
      for (const [i, id] of ids.entries()) rows.set(id, JSON.parse(docs[i] as string));
      return { rows: [] };
    }
    return { rows: [...rows].map(([device_id, state]) => ({ device_id, state })) };
  };
  return { query } as unknown as pg.Pool;
}

describe('detector state snapshots', () => {
  it.each([
    { name: 'a quick restart', downMs: 2_000 },
    { name: 'a long outage', downMs: 3_600_000 },
  ])('round-trips and pauses silence clocks for $name', async ({ downMs }) => {
    const db = fakePool();
    const state = createEngineState();
    state.devices['chg-1'] = {
      lastSeen: 1_000_000,
      offline: false,
      rules: { x: { active: true, since: 5, lastTs: 7 } },
    };
    state.devices['cam-1'] = { lastSeen: null, offline: true, rules: {} };
    state.incidents.push({
      rule: 'fire-risk',
      scopeKey: 'compound:s',
      deviceIds: ['chg-1', 'cam-1'],
      lastAt: 1_000_500,
    });
    await saveState(db, state, ['chg-1', 'cam-1'], 1_001_000);
    const restored = await loadState(db, 1_001_000 + downMs);
    expect(restored.devices['chg-1']).toEqual({ ...state.devices['chg-1'], lastSeen: 1_000_000 + downMs });
    expect(restored.devices['cam-1']).toEqual(state.devices['cam-1']);
    expect(restored.incidents).toEqual(state.incidents);
  });

  it('adds the restart grace on top of the downtime', async () => {
    const db = fakePool();
    const state = createEngineState();
    state.devices['chg-1'] = { lastSeen: 1_000_000, offline: false, rules: {} };
    await saveState(db, state, ['chg-1'], 1_001_000);
    const restored = await loadState(db, 1_001_000 + 5_000, 60_000);
    expect(restored.devices['chg-1']?.lastSeen).toBe(1_000_000 + 5_000 + 60_000);
  });

  it('an empty table restores an empty engine', async () => {
    expect(await loadState(fakePool(), 0)).toEqual(createEngineState());
  });
});
