import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import mqtt from 'mqtt';
import pg from 'pg';
import { REPO_ROOT, redact } from './services.ts';

function pkgVersion(name: string): string {
  try {
    return (
      JSON.parse(readFileSync(`${REPO_ROOT}node_modules/${name}/package.json`, 'utf8')) as { version: string }
    ).version;
  } catch {
    return '?';
  }
}

function gitHead(): string {
  try {
    return execFileSync('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return '?';
  }
}

/** The broker's `$SYS/broker/version`, when the account may read `$SYS`. */
export async function brokerVersion(url: string, username?: string, password?: string): Promise<string> {
  const client = await mqtt
    .connectAsync(url, { username, password, clean: true, reconnectPeriod: 0, connectTimeout: 5000 })
    .catch(() => null);
  if (!client) return '?';
  try {
    return await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('?'), 3000);
      client.on('message', (_t, p) => {
        clearTimeout(timer);
        resolve(p.toString());
      });
      client.subscribe('$SYS/broker/version', { qos: 0 });
    });
  } finally {
    await client.endAsync().catch(() => {});
  }
}

export async function databaseVersions(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const v = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    const ts = await client.query<{ v: string }>(
      "SELECT extversion AS v FROM pg_extension WHERE extname = 'timescaledb'",
    );
    return `PostgreSQL ${v.rows[0]?.v}${ts.rows[0] ? ` + TimescaleDB ${ts.rows[0].v}` : ' (no TimescaleDB)'}`;
  } catch {
    return '?';
  } finally {
    await client.end().catch(() => {});
  }
}

/** What a figure means depends on these: printed with every result. */
export async function conditions(opts: {
  mqttUrl: string;
  mqttUser?: string;
  mqttPassword?: string;
  databaseUrl: string;
}): Promise<Record<string, string>> {
  const [l1, l5, l15] = loadavg();
  return {
    date: new Date().toISOString(),
    commit: gitHead(),
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    'load average (1/5/15 min)': `${l1!.toFixed(2)} / ${l5!.toFixed(2)} / ${l15!.toFixed(2)}`,
    node: process.version,
    'mqtt.js / pg / tsx': `${pkgVersion('mqtt')} / ${pkgVersion('pg')} / ${pkgVersion('tsx')}`,
    broker: `${redact(opts.mqttUrl)} (${await brokerVersion(opts.mqttUrl, opts.mqttUser, opts.mqttPassword)})`,
    database: `${redact(opts.databaseUrl)} (${await databaseVersions(opts.databaseUrl)})`,
  };
}

export function printConditions(c: Record<string, string>): void {
  console.log('conditions:');
  for (const [k, v] of Object.entries(c)) console.log(`  ${k.padEnd(28)} ${v}`);
}

/** Load average now, to quote beside a figure measured on a shared machine. */
export function loadNow(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');
}
