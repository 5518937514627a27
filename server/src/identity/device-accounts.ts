import { type DeviceKind, isDeviceKind, isValidDeviceId } from '@gridwatch/devices';

export interface DeviceIdentity {
  id: string;
  kind: DeviceKind;
}

/** Account names that belong to the broker's operators, never to a device. */
export const RESERVED_USERNAMES = new Set(['gridwatch-server', 'gw-admin', 'admin']);

/** Why a device cannot be given a broker account, or null when it can. */
export function refusalReason(device: DeviceIdentity): string | null {
  if (!isValidDeviceId(device.id)) return 'invalid device id';
  if (!isDeviceKind(device.kind)) return `unknown kind "${device.kind}"`;
  if (RESERVED_USERNAMES.has(device.id)) return 'id is reserved for an operator account';
  return null;
}
