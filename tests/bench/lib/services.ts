import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SERVICES_ENV_FILE = `${REPO_ROOT}.data/test-services.env`;

/** The project's real services (TimescaleDB and Mosquitto with dynamic security), as CI starts them. */
export interface BenchServices {
  databaseUrl: string;
  mqttUrl: string;
  serverUsername?: string;
  serverPassword?: string;
  adminUsername?: string;
  adminPassword?: string;
}

/** Parses `KEY=value` lines (optionally `export`ed and quoted), as a shell would source them. */
function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim().replace(/^export\s+/, '');
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!;
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[m[1]!] = v;
  }
  return out;
}

/**
 * The services from the environment, or else from `.data/test-services.env`. Benchmarks
 * measure the product on its real backends only: without them they stop with a message
 * saying how to start them, rather than quoting figures from the embedded fallbacks.
 */
export function requireServices(): BenchServices {
  let env: Record<string, string | undefined> = process.env;
  if (!env.TEST_DATABASE_URL || !env.TEST_MQTT_URL) {
    if (!existsSync(SERVICES_ENV_FILE)) {
      console.error(
        `benchmarks need the real services: ${SERVICES_ENV_FILE} is missing.\n` +
          'Start them with deploy/scripts/ci-services.sh (PostgreSQL 15 + TimescaleDB and the project Mosquitto),\n' +
          'or set TEST_DATABASE_URL and TEST_MQTT_URL.',
      );
      process.exit(2);
    }
    env = { ...readEnvFile(SERVICES_ENV_FILE), ...process.env };
  }
  if (!env.TEST_DATABASE_URL || !env.TEST_MQTT_URL) {
    console.error(`${SERVICES_ENV_FILE} does not set TEST_DATABASE_URL and TEST_MQTT_URL`);
    process.exit(2);
  }
  return {
    databaseUrl: env.TEST_DATABASE_URL,
    mqttUrl: env.TEST_MQTT_URL,
    serverUsername: env.TEST_MQTT_SERVER_USERNAME,
    serverPassword: env.TEST_MQTT_SERVER_PASSWORD,
    adminUsername: env.TEST_MQTT_ADMIN_USERNAME,
    adminPassword: env.TEST_MQTT_ADMIN_PASSWORD,
  };
}

/** Redacts the password of a connection URL for printing. */
export function redact(url: string): string {
  return url.replace(/:\/\/([^:@/]+):[^@/]+@/, '://$1:***@');
}
