import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SimDevice } from '../fleet/types.ts';
import type { PlannedFault } from './fault-scheduler.ts';
import type { FleetCounts, FleetRunnerOptions } from './fleet-runner.ts';

/** What the parent sends the fleet process. */
export type ToFleet =
  | {
      type: 'start';
      options: Omit<FleetRunnerOptions, 'devices' | 'clock' | 'onFault' | 'onError'> & {
        /** Devices to run; or generate the district's fleet from `seed` and `scale` in the child. */
        devices?: SimDevice[];
        scale?: number;
        speed?: number;
        startAt?: number;
      };
    }
  | { type: 'inject'; deviceId: string; faultId: string; at?: number; origin?: string; forS?: number }
  | { type: 'stop' };

/** What the fleet process reports. */
export type FromFleet =
  | { type: 'started'; devices: number; simStart: number }
  | { type: 'counts'; counts: FleetCounts; simNow: number }
  | { type: 'connected' }
  | { type: 'fault'; fault: PlannedFault & { started: boolean } }
  | { type: 'error'; message: string }
  | { type: 'stopped'; counts: FleetCounts };

export type FleetProcessOptions = Extract<ToFleet, { type: 'start' }>['options'];

export interface FleetProcess {
  /** Starts the fleet (once); the child process is already up. */
  start(options: FleetProcessOptions): void;
  /** Latest counts the child reported (every second). */
  counts(): FleetCounts;
  /** Simulated time in the child, as of its last report. */
  simNow(): number;
  inject(deviceId: string, faultId: string, opts?: { at?: number; origin?: string; forS?: number }): void;
  started: Promise<{ devices: number; simStart: number }>;
  allConnected: Promise<void>;
  stop(): Promise<FleetCounts>;
}

const EMPTY: FleetCounts = {
  devices: 0,
  connected: 0,
  down: 0,
  telemetry: 0,
  events: 0,
  acked: 0,
  inFlight: 0,
  skipped: 0,
  errors: 0,
  refused: 0,
  mqtt311: 0,
  faults: 0,
};

/**
 * Runs a fleet in a child process, so the load generator does not share a core (or an event
 * loop) with the server it loads: for the demo, and for benchmarks that must measure the
 * server rather than the simulator.
 */
export function startFleetProcess(options: FleetProcessOptions, hooks: FleetProcessHooks = {}): FleetProcess {
  const fleet = spawnFleetProcess(hooks);
  fleet.start(options);
  return fleet;
}

export interface FleetProcessHooks {
  onFault?: (f: PlannedFault & { started: boolean }) => void;
  onError?: (message: string) => void;
}

/** Forks the fleet process without starting the fleet: loading it overlaps with whatever the caller does next. */
export function spawnFleetProcess(hooks: FleetProcessHooks = {}): FleetProcess {
  const child = fork(fileURLToPath(new URL('./fleet-child.ts', import.meta.url)), [], {
    // tsx's loader, as this process runs with it.
    execArgv: process.execArgv,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let counts = { ...EMPTY };
  let simNow = Date.now();
  let resolveStarted: (v: { devices: number; simStart: number }) => void = () => {};
  let resolveConnected: () => void = () => {};
  let resolveStopped: (c: FleetCounts) => void = () => {};
  let rejectStarted: (e: Error) => void = () => {};
  const started = new Promise<{ devices: number; simStart: number }>((res, rej) => {
    resolveStarted = res;
    rejectStarted = rej;
  });
  const allConnected = new Promise<void>((res) => {
    resolveConnected = res;
  });
  const stopped = new Promise<FleetCounts>((res) => {
    resolveStopped = res;
  });
  child.on('message', (m: FromFleet) => {
    if (m.type === 'started') resolveStarted(m);
    else if (m.type === 'counts') {
      counts = m.counts;
      simNow = m.simNow;
    } else if (m.type === 'connected') resolveConnected();
    else if (m.type === 'fault') hooks.onFault?.(m.fault);
    else if (m.type === 'error') {
      hooks.onError?.(m.message);
      rejectStarted(new Error(m.message));
    } else if (m.type === 'stopped') {
      counts = m.counts;
      resolveStopped(m.counts);
    }
  });
  child.on('exit', (code) => {
    rejectStarted(new Error(`fleet process exited (${code})`));
    resolveStopped(counts);
  });
  const send = (m: ToFleet) => {
    if (child.connected) child.send(m);
  };
  return {
    start: (options) => send({ type: 'start', options }),
    counts: () => counts,
    simNow: () => simNow,
    inject: (deviceId, faultId, o = {}) => send({ type: 'inject', deviceId, faultId, ...o }),
    started,
    allConnected,
    async stop() {
      send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const final = await stopped;
      clearTimeout(timer);
      return final;
    },
  };
}
