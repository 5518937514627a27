import { devicePassword } from '@gridwatch/devices/credentials';

/**
 * Device logins as CSV for brokers that keep their own user table. `emqx` is the layout of
 * EMQX's built-in database bootstrap file and user import with plain passwords
 * (`user_id,password,is_superuser`); `plain` is `username,password`.
 */
export type CredentialsFormat = 'emqx' | 'plain';

export function credentialsCsv(
  ids: Iterable<string>,
  fleetSecret: string,
  format: CredentialsFormat,
): string {
  const lines = [format === 'emqx' ? 'user_id,password,is_superuser' : 'username,password'];
  for (const id of ids) {
    const password = devicePassword(fleetSecret, id);
    lines.push(format === 'emqx' ? `${id},${password},false` : `${id},${password}`);
  }
  return `${lines.join('\n')}\n`;
}
