import type pg from 'pg';
import type { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { Bus } from './bus.ts';

/** How this instance reaches its broker; devices' passwords derive from `fleetSecret`. */
export interface MqttInfo {
  url: string;
  username: string | undefined;
  password: string | undefined;
  embedded: boolean;
}

/** Everything `startGridwatch` resolved before the app boots. */
export interface GridwatchContext {
  config: Config;
  databaseUrl: string;
  databaseEmbedded: boolean;
  mqtt: MqttInfo;
  fleetSecret: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    gw: GridwatchContext;
    db: pg.Pool;
    bus: Bus;
    metrics: Registry;
    /** Set by the database plugin after migrations. */
    timescale: { enabled: boolean; version: string | null };
  }
}
