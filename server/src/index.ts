/**
 * The server's public entry (`@gridwatch/server`): start it (embedded or external
 * backends) or build the app without listening. Everything else is internal.
 */
export { buildApp } from './app.ts';
export type { Backends, GridwatchContext, MqttInfo } from './infra/context.ts';
export { type Gridwatch, startGridwatch } from './main.ts';
