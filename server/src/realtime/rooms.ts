import type { RegionPath } from '@gridwatch/devices';

/** A user joins the room of their region; an item goes to the rooms of every region on its path. */
export const regionRoom = (regionId: string) => `region:${regionId}`;
/** Every socket of one session, so logout can close them on every instance. */
export const sessionRoom = (tokenHash: string) => `session:${tokenHash}`;

export function roomsForPath(path: RegionPath): string[] {
  return [path.district, path.street, path.community, path.grid]
    .filter((id): id is string => typeof id === 'string' && id.length > 0)
    .map(regionRoom);
}
