import type { RegionPath, User } from '@gridwatch/devices';
import { isUnplaced, seesUnplaced } from '../auth/access.ts';

/** A user joins the room of their region; an item goes to the rooms of every region on its path. */
export const regionRoom = (regionId: string) => `region:${regionId}`;
/** What lies outside every region goes here; those who see it (commanders) join it. */
export const UNPLACED_ROOM = 'region:*unplaced';
/** Every socket of one session, so logout can close them on every instance. */
export const sessionRoom = (tokenHash: string) => `session:${tokenHash}`;

/** The rooms a user's sockets join: auth/access.ts's scope rule in rooms. */
export function roomsForUser(user: Pick<User, 'regionId' | 'role' | 'roles'>): string[] {
  return seesUnplaced(user) ? [regionRoom(user.regionId), UNPLACED_ROOM] : [regionRoom(user.regionId)];
}

export function roomsForPath(path: RegionPath): string[] {
  if (isUnplaced(path)) return [UNPLACED_ROOM];
  return [path.district, path.street, path.community, path.grid]
    .filter((id): id is string => typeof id === 'string' && id.length > 0)
    .map(regionRoom);
}
