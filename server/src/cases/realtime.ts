import type { Case } from '@gridwatch/devices';
import type { FastifyBaseLogger } from 'fastify';
import type { RealtimeServer } from '../realtime/plugin.ts';
import { roomsForPath } from '../realtime/rooms.ts';
import { type CaseRow, NOBODY, toCase } from './record.ts';
import { actorOf, type CaseService } from './service.ts';

/** Every socket of the members of a unit (centre or department). */
export const unitRoom = (unitId: string) => `unit:${unitId}`;
/** Every socket of one user (an assignee outside the unit's room, e.g. on loan). */
export const userRoom = (username: string) => `user:${username}`;

/** The rooms concerned by a case: the regions on its path, its lead and co-handling units, its assignee. */
export function roomsForCase(row: CaseRow): string[] {
  const rooms = roomsForPath({
    district: row.district_id,
    street: row.street_id,
    community: row.community_id,
    grid: row.grid_id,
  });
  for (const unit of [row.unit_id, ...row.co_unit_ids]) if (unit) rooms.push(unitRoom(unit));
  if (row.assignee_id) rooms.push(userRoom(row.assignee_id));
  return rooms;
}

/**
 * Case events on Socket.IO: `case:new` / `case:update` to the rooms concerned (before and
 * after the change, so a unit a case was transferred away from hears it leave), contact
 * always masked; `cases:sync` for a reconnecting client, as `alerts:sync` does for alerts.
 */
export function attachCaseRealtime(io: RealtimeServer, cases: CaseService, log: FastifyBaseLogger) {
  io.on('connection', (socket) => {
    const { user } = socket.data;
    const actor = actorOf(user);
    socket.join(userRoom(actor.id));
    if (actor.unitId) socket.join(unitRoom(actor.unitId));

    socket.on('cases:sync', (query: unknown, callback: unknown) => {
      const reply = (typeof callback === 'function' ? callback : query) as (items: Case[]) => void;
      if (typeof reply !== 'function') return;
      const raw = typeof query === 'object' && query ? (query as { since?: unknown }).since : undefined;
      cases
        .sync(user, typeof raw === 'string' ? raw : undefined)
        .then(reply)
        .catch((err) => {
          log.error({ err }, 'cases:sync failed');
          reply([]);
        });
    });
  });

  return (row: CaseRow, change: 'new' | 'update', before: CaseRow | null) => {
    const rooms = new Set([...roomsForCase(row), ...(before ? roomsForCase(before) : [])]);
    if (rooms.size === 0) return;
    io.to([...rooms]).emit(change === 'new' ? 'case:new' : 'case:update', toCase(row, NOBODY));
  };
}
