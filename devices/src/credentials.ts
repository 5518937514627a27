import { createHmac } from 'node:crypto';

/**
 * A device's broker password is derived from the fleet secret, so the server, the
 * provisioning scripts and the simulators agree without storing a table of secrets.
 * The secret itself comes from the environment (`DEVICE_SECRET`).
 */
export function devicePassword(fleetSecret: string, deviceId: string): string {
  return createHmac('sha256', fleetSecret)
    .update(`gridwatch-device:${deviceId}`)
    .digest('base64url')
    .slice(0, 32);
}
