import fp from 'fastify-plugin';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import type { Bus } from './bus.ts';
import type { Config } from './config.ts';

/** How this instance reaches its broker; devices' passwords derive from `fleetSecret`. */
export interface MqttInfo {
  url: string;
  username: string | undefined;
  password: string | undefined;
  embedded: boolean;
}

/** The backends `startGridwatch` resolved (embedded or external) before the app boots. */
export interface Backends {
  databaseUrl: string;
  databaseEmbedded: boolean;
  mqtt: MqttInfo;
  fleetSecret: string;
}

/** Everything `startGridwatch` resolved before the app boots. */
export interface GridwatchContext extends Backends {
  config: Config;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The validated configuration (kept here only: `gw` holds the resolved backends). */
    config: Config;
    gw: Backends;
    db: pg.Pool;
    bus: Bus;
    metrics: Registry;
    /** Set by the database plugin after migrations. */
    timescale: { enabled: boolean; version: string | null };
  }
}

/** Decorates the app with the configuration and the resolved backends, each once. */
export default fp<{ context: GridwatchContext }>(
  async (app, { context }) => {
    const { config, ...backends } = context;
    app.decorate('config', config);
    app.decorate('gw', backends);
  },
  { name: 'context' },
);
