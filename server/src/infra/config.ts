import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { parseAllowedOrigins } from './origin-policy.ts';

/**
 * Environment configuration, validated once at boot. Every variable is documented with its
 * default; a bad value stops the server with a message naming the variable.
 */
const Num = (def: number, opts: { minimum?: number; maximum?: number; description: string }) =>
  Type.Number({ default: def, ...opts });

export const ConfigSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', description: 'HTTP bind address' }),
  PORT: Num(8080, { minimum: 0, maximum: 65535, description: 'HTTP port (0 = any free port)' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  DATA_DIR: Type.String({
    default: '.data/gridwatch',
    description: 'embedded database (files and Unix socket) and secrets; kept 0700',
  }),
  DATABASE_URL: Type.Optional(
    Type.String({ minLength: 1, description: 'PostgreSQL/TimescaleDB; embedded PGlite when unset' }),
  ),
  DATABASE_POOL_MAX: Num(10, { minimum: 1, maximum: 200, description: 'pg pool size (external database)' }),
  MQTT_URL: Type.Optional(
    Type.String({ minLength: 1, description: 'broker URL; embedded Aedes when unset' }),
  ),
  MQTT_USERNAME: Type.Optional(Type.String()),
  MQTT_PASSWORD: Type.Optional(Type.String()),
  MQTT_CLIENT_ID: Type.String({
    default: 'gridwatch-ingest',
    description: 'persistent-session client id (telemetry); events and statuses use `<id>-events`',
  }),
  MQTT_SHARED_GROUP: Type.Optional(
    Type.String({ description: 'shared-subscription group for several ingest instances' }),
  ),
  EMBEDDED_MQTT_PORT: Num(1884, {
    minimum: 0,
    maximum: 65535,
    description: 'embedded broker port (not 1883)',
  }),
  DEVICE_SECRET: Type.Optional(
    Type.String({
      minLength: 16,
      description: 'fleet secret for device passwords; generated into DATA_DIR when unset',
    }),
  ),
  MQTT_ADMIN_USERNAME: Type.Optional(
    Type.String({
      description: "Mosquitto dynamic-security admin: creates the server's own account when missing",
    }),
  ),
  MQTT_ADMIN_PASSWORD: Type.Optional(Type.String()),
  MQTT_ACCOUNTS_FILE: Type.Optional(
    Type.String({
      description:
        "Mosquitto's device password file (its `password_file`): the server adds each imported device to it; empty or unset: the broker keeps device accounts itself (EMQX)",
    }),
  ),
  MQTT_BROKER_PID_FILE: Type.Optional(
    Type.String({
      description:
        "Mosquitto's pid file: the server sends SIGHUP after writing MQTT_ACCOUNTS_FILE (same host and user); unset where a watcher beside the broker reloads it",
    }),
  ),
  MQTT_ACCOUNTS_READY_TIMEOUT_S: Num(30, {
    minimum: 1,
    maximum: 600,
    description: 'longest wait for the broker to accept newly written device accounts',
  }),
  REDIS_URL: Type.Optional(Type.String({ description: 'Socket.IO Redis adapter for several instances' })),
  INGEST_BATCH_MAX: Num(2000, { minimum: 1, maximum: 50_000, description: 'rows per insert' }),
  INGEST_FLUSH_MS: Num(20, {
    minimum: 1,
    maximum: 10_000,
    description: 'longest wait before a partial batch is written',
  }),
  INGEST_MAX_PENDING: Num(20_000, { minimum: 100, description: 'messages held before ingest stops reading' }),
  INGEST_CONCURRENCY: Type.Optional(
    Type.Number({
      minimum: 1,
      maximum: 32,
      description: 'batches committing at once (default 4 external, 1 embedded)',
    }),
  ),
  INGEST_MAX_FUTURE_S: Num(300, {
    minimum: 0,
    description: 'readings further in the future are dead-lettered',
  }),
  INGEST_MAX_AGE_S: Num(604_800, {
    minimum: 60,
    description: 'readings and events older than this (default 7 days) are dead-lettered',
  }),
  INGEST_MAX_PAYLOAD_BYTES: Num(65_536, { minimum: 256, description: 'larger payloads are dead-lettered' }),
  RETENTION_DAYS: Num(30, { minimum: 1, description: 'raw telemetry and events kept' }),
  ROLLUP_RETENTION_DAYS: Num(365, { minimum: 1, description: '1-minute rollup kept' }),
  DETECTION_SAVE_MS: Num(30_000, { minimum: 100, description: 'detector state snapshot period' }),
  DETECTION_RESTART_GRACE_S: Num(60, {
    minimum: 0,
    description:
      'after a restart, extra time before a silent device counts as offline (devices reconnecting)',
  }),
  ACK_LIMIT_CRITICAL_S: Num(120, { minimum: 1, description: 'acknowledge critical alerts within' }),
  ACK_LIMIT_MAJOR_S: Num(600, { minimum: 1, description: 'acknowledge major alerts within' }),
  ACK_LIMIT_MINOR_S: Num(1800, { minimum: 1, description: 'acknowledge minor alerts within' }),
  ACK_LIMIT_WARNING_S: Num(7200, { minimum: 1, description: 'acknowledge warnings within' }),
  ALERT_OVERDUE_CHECK_MS: Num(5000, {
    minimum: 50,
    description: 'how often unacknowledged alerts past their limit are marked overdue',
  }),
  CASE_AUTO_OPEN: Type.String({
    default: 'fire-risk@critical=FIRE-04+fire',
    description:
      'alert causes that open a case by themselves: `cause[@min-severity]=ITEM[+dept,…]`, `;` between rules, empty for none',
  }),
  ADMIN_PASSWORD: Type.Optional(
    Type.String({ minLength: 8, description: 'password of the seeded `admin` commander' }),
  ),
  SEED_DEMO_USERS: Type.Boolean({ default: true, description: 'seed the documented demo officers' }),
  SESSION_TTL_H: Num(12, { minimum: 1, description: 'session lifetime' }),
  LOGIN_RATE_MAX: Num(10, { minimum: 1, description: 'login attempts per address per minute' }),
  TRUST_PROXY: Type.Boolean({
    default: false,
    description:
      'trust X-Forwarded-For, -Host and -Proto (the Host decides which origin is the centre’s own)',
  }),
  ALLOWED_ORIGINS: Type.String({
    default: '',
    description:
      'comma-separated origins (scheme://host[:port]) whose pages may change state over /api and open sockets, besides the centre’s own (the same host and port as the request), which is always allowed; empty: the centre’s own only',
  }),
  DISTRICT_NAME: Type.String({ default: '莲湖区' }),
  TIME_ZONE: Type.String({ default: 'Asia/Shanghai', description: "the centre's time zone" }),
  MAP_STYLE_URL: Type.Optional(
    Type.String({
      description: "the centre's own map style; offline style from the district's data when unset",
    }),
  ),
  DASHBOARD_DIR: Type.Optional(Type.String({ description: 'built dashboard; dashboard/dist when unset' })),
  WEBHOOK_TARGETS: Type.Optional(
    Type.String({
      description:
        'outgoing webhook targets as JSON: {"name":{"url":"https://…","secret":"≥16 characters"}}; domains may add more at run time',
    }),
  ),
  WEBHOOK_POLL_MS: Num(1000, {
    minimum: 20,
    description: 'how often the outbox is checked for due webhooks',
  }),
  WEBHOOK_TIMEOUT_MS: Num(10_000, { minimum: 100, maximum: 120_000, description: 'one delivery attempt' }),
  WEBHOOK_BACKOFF_BASE_MS: Num(5000, {
    minimum: 10,
    description: 'first retry delay (doubles, with jitter)',
  }),
  WEBHOOK_BACKOFF_MAX_MS: Num(3_600_000, { minimum: 10, description: 'longest retry delay' }),
  WEBHOOK_MAX_ATTEMPTS: Num(100, {
    minimum: 1,
    description: 'attempts before a webhook failing with timeouts, 408, 429 or 5xx is declared dead',
  }),
  WEBHOOK_DEAD_AFTER_REFUSALS: Num(3, {
    minimum: 1,
    description: 'attempts before a webhook refused with another 4xx (or a redirect) is declared dead',
  }),
  WEBHOOK_BATCH: Num(10, { minimum: 1, maximum: 200, description: 'webhooks claimed and sent at once' }),
  ATTACHMENT_DIR: Type.Optional(
    Type.String({ description: 'blob store of attachments; DATA_DIR/attachments when unset' }),
  ),
  ATTACHMENT_IMAGE_MAX_MB: Num(15, { minimum: 0.01, maximum: 1024, description: 'largest photo upload' }),
  ATTACHMENT_VIDEO_MAX_MB: Num(40, { minimum: 0.01, maximum: 4096, description: 'largest video upload' }),
  ATTACHMENT_MAX_MEGAPIXELS: Num(50, {
    minimum: 1,
    maximum: 500,
    description: 'photos decoding to more pixels are refused (decompression bombs)',
  }),
  ATTACHMENT_RETENTION_DAYS: Type.Optional(
    Type.String({
      description:
        'days attachments are kept per owner type, e.g. `alert=365,case=1825` (0 = forever); unnamed types keep their default',
    }),
  ),
});

export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`invalid configuration: ${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const BOOLEAN_WORDS: Record<string, boolean> = {
  true: true,
  '1': true,
  yes: true,
  false: false,
  '0': false,
  no: false,
};

/** Reads the variables the schema knows from `env`, converts, applies defaults and validates. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const raw: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(ConfigSchema.properties)) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    const type = (schema as { type?: string }).type;
    if (type === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new ConfigError(key, `expected a number, got "${value}"`);
      raw[key] = n;
    } else if (type === 'boolean') {
      const b = BOOLEAN_WORDS[value.toLowerCase()];
      if (b === undefined) throw new ConfigError(key, `expected true or false, got "${value}"`);
      raw[key] = b;
    } else {
      raw[key] = value;
    }
  }
  const withDefaults = Value.Default(ConfigSchema, raw);
  const firstError = Value.Errors(ConfigSchema, withDefaults)[0];
  if (firstError) {
    const variable =
      firstError.instancePath.replace(/^\//, '') ||
      String((firstError.params as { requiredProperties?: string[] }).requiredProperties?.[0] ?? '?');
    throw new ConfigError(variable, firstError.message);
  }
  const config = withDefaults as Config;
  try {
    parseAllowedOrigins(config.ALLOWED_ORIGINS);
  } catch (err) {
    throw new ConfigError('ALLOWED_ORIGINS', (err as Error).message);
  }
  return config;
}
