import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Lines of a Mosquitto 2.0 password file (`password_file`): `username:$6$<salt>$<hash>`,
 * with a 12-byte salt and SHA-512(password ‖ salt), both base64 — the form Mosquitto 2.0.11
 * decodes (`$6$`). The iterated form (`$7$`, PBKDF2) is not used: Mosquitto re-checks every
 * connected client's password on each reload, and device passwords are 192-bit HMAC
 * outputs that no iteration count would make easier to guess.
 */
export interface Account {
  username: string;
  password: string;
}

const SALT_BYTES = 12;

function digest(password: string, salt: Buffer): Buffer {
  return createHash('sha512').update(password, 'utf8').update(salt).digest();
}

export function passwordLine(account: Account, salt: Buffer = randomBytes(SALT_BYTES)): string {
  if (salt.length !== SALT_BYTES) throw new Error(`salt must be ${SALT_BYTES} bytes`);
  if (/[:\r\n]/.test(account.username)) throw new Error(`username ${account.username} cannot be stored`);
  return `${account.username}:$6$${salt.toString('base64')}$${digest(account.password, salt).toString('base64')}`;
}

/** True when `line` (without its username) is the hash of `password`. */
export function hashMatches(hash: string, password: string): boolean {
  const [, type, salt64, hash64] = hash.split('$');
  if (type !== '6' || !salt64 || !hash64) return false;
  const salt = Buffer.from(salt64, 'base64');
  const stored = Buffer.from(hash64, 'base64');
  if (salt.length !== SALT_BYTES || stored.length !== 64) return false;
  return timingSafeEqual(stored, digest(password, salt));
}

/** Username → hash part of every line; blank lines and `#` comments are not accounts. */
export function parsePasswordFile(text: string): Map<string, string> {
  const accounts = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) accounts.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return accounts;
}

/**
 * The file with `accounts` in it: an account already there with the same password keeps
 * its line (several servers may write one file), a new one or one whose password changed
 * (another fleet secret) gets a fresh line. `changed` lists the usernames written anew.
 */
export function mergeAccounts(
  text: string,
  accounts: Iterable<Account>,
  salt: () => Buffer = () => randomBytes(SALT_BYTES),
): { text: string; changed: string[] } {
  const lines = parsePasswordFile(text);
  const changed: string[] = [];
  for (const account of accounts) {
    const existing = lines.get(account.username);
    if (existing !== undefined && hashMatches(existing, account.password)) continue;
    const line = passwordLine(account, salt());
    lines.set(account.username, line.slice(account.username.length + 1));
    changed.push(account.username);
  }
  if (changed.length === 0) return { text, changed };
  let out = '';
  for (const [username, hash] of lines) out += `${username}:${hash}\n`;
  return { text: out, changed };
}
