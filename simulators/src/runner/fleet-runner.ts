import type { AnyEvent } from '@gridwatch/devices';
import type { MqttClient } from 'mqtt';
import type { SimDevice } from '../fleet/types.ts';
import { createModel } from '../models/create.ts';
import type { DeviceModel } from '../models/model.ts';
import { createRng } from '../rng.ts';
import { createClock, type SimClock } from './clock.ts';
import { FaultScheduler, type PlannedFault } from './fault-scheduler.ts';
import { deviceLink, gatewayClients, gatewayLink, type Link, publishRefusalCode } from './links.ts';

export interface FleetRunnerOptions {
  devices: SimDevice[];
  /** Broker URL, e.g. mqtt://127.0.0.1:1884. */
  mqttUrl: string;
  /** Device passwords derive from it (devicePassword). Unused in gateway mode. */
  fleetSecret: string;
  /** @default 610104 */
  seed?: number;
  /** Simulated clock; @default real time (speed 1) */
  clock?: SimClock;
  /** Random faults at the catalogue rates. @default true */
  faults?: boolean;
  /** Multiplies fault rates; @default devices / 4,000 (one district = 1) */
  faultScale?: number;
  /** `device`: one connection per device (its own credentials, last will). `gateway`: few shared connections. @default 'device' */
  mode?: 'device' | 'gateway';
  /** Account allowed to publish for every device (gateway mode only). */
  gateway?: { username: string; password: string; connections?: number };
  /** New device connections opened per second. @default 250 */
  connectPerSecond?: number;
  /** Stop producing reports while this many publishes await their PUBACK (counted as skipped). @default 20000 */
  maxInFlight?: number;
  /** Called for every fault started (random or injected). */
  onFault?: (fault: PlannedFault & { started: boolean }) => void;
  onError?: (err: Error) => void;
  /** Tick period in wall-clock ms. @default 200 */
  tickMs?: number;
}

export interface FleetCounts {
  devices: number;
  connected: number;
  /** Devices in a simulated outage (power cut, camera offline). */
  down: number;
  telemetry: number;
  events: number;
  acked: number;
  inFlight: number;
  skipped: number;
  errors: number;
  /** Publishes the broker refused with an MQTT 5 reason code (e.g. 135, not authorised); counted in `errors` too. */
  refused: number;
  /** Connections that fell back to MQTT 3.1.1 (a broker without MQTT 5). */
  mqtt311: number;
  faults: number;
}

export interface FleetRunner {
  readonly clock: SimClock;
  counts(): FleetCounts;
  /** Starts `faultId` on a device at simulated time `at` (default now). */
  inject(deviceId: string, faultId: string, opts?: { at?: number; origin?: string; forS?: number }): void;
  /** Resolves once every device has connected at least once. */
  allConnected: Promise<void>;
  stop(): Promise<void>;
}

interface Slot {
  model: DeviceModel;
  link: Link | undefined;
  nextAt: number;
  downUntil: number;
}

/**
 * Runs a fleet: opens connections progressively, publishes each device's telemetry at its
 * catalogue interval on the simulated clock, starts random and injected faults. Used by the
 * CLI, the demo, scenarios and the benchmarks.
 */
export function startFleet(opts: FleetRunnerOptions): FleetRunner {
  const clock = opts.clock ?? createClock();
  const seed = opts.seed ?? 610104;
  const onError = opts.onError ?? (() => {});
  const maxInFlight = opts.maxInFlight ?? 20_000;
  const counts = {
    telemetry: 0,
    events: 0,
    acked: 0,
    skipped: 0,
    errors: 0,
    refused: 0,
    mqtt311: 0,
    faults: 0,
  };
  const refusalsLogged = new Set<number>();
  const onFallback = () => {
    counts.mqtt311++;
  };
  const slots = new Map<string, Slot>();
  const order: Slot[] = [];
  for (const device of opts.devices) {
    const slot: Slot = {
      model: createModel(device, seed),
      link: undefined,
      nextAt: Number.POSITIVE_INFINITY,
      downUntil: 0,
    };
    slots.set(device.id, slot);
    order.push(slot);
  }

  const gateways: MqttClient[] =
    opts.mode === 'gateway'
      ? gatewayClients({
          mqttUrl: opts.mqttUrl,
          username: opts.gateway?.username ?? '',
          password: opts.gateway?.password ?? '',
          connections: opts.gateway?.connections ?? 4,
          onError,
          onFallback,
        })
      : [];
  const makeLink = (slot: Slot, index: number): Link =>
    gateways.length
      ? gatewayLink(slot.model.device, gateways[index % gateways.length]!, clock.now)
      : deviceLink(slot.model.device, {
          mqttUrl: opts.mqttUrl,
          fleetSecret: opts.fleetSecret,
          now: clock.now,
          onError,
          onFallback,
        });

  const done = (err?: Error) => {
    if (!err) {
      counts.acked++;
      return;
    }
    counts.errors++;
    const code = publishRefusalCode(err);
    if (code === null) return;
    counts.refused++;
    // One line per reason, not per message: a misconfigured fleet would flood the terminal.
    if (!refusalsLogged.has(code)) {
      refusalsLogged.add(code);
      onError(
        new Error(
          `the broker refused a publish with reason code ${code} (${err.message}); counted as refused`,
        ),
      );
    }
  };
  const inFlight = () => counts.telemetry + counts.events - counts.acked - counts.errors;
  const publishEvents = (slot: Slot, events: AnyEvent[]) => {
    for (const e of events) {
      if (!slot.link?.connected) continue;
      counts.events++;
      slot.link.publish('event', e, false, done);
    }
  };

  const pending: PlannedFault[] = [];
  const scheduler =
    opts.faults === false
      ? undefined
      : new FaultScheduler(
          order.map((s) => s.model),
          createRng(seed).fork('faults'),
          opts.faultScale ?? opts.devices.length / 4000,
          clock.now(),
        );

  const startFault = (f: PlannedFault) => {
    const slot = slots.get(f.deviceId);
    const effect = slot && slot.downUntil <= f.at ? slot.model.inject(f.faultId, f.at) : undefined;
    opts.onFault?.({ ...f, started: !!effect });
    if (!slot || !effect) return;
    counts.faults++;
    publishEvents(slot, effect.events);
    if (effect.disconnectForS) {
      slot.link?.drop();
      slot.link = undefined;
      slot.downUntil = f.at + (f.forS ?? effect.disconnectForS) * 1000;
    }
  };

  // Connect progressively: readiness of the demo must not wait for 4,000 handshakes.
  let connectIndex = 0;
  let resolveAll: () => void = () => {};
  const allConnected = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  let everyoneConnected = false;
  const perTick = Math.max(1, Math.round(((opts.connectPerSecond ?? 250) * (opts.tickMs ?? 200)) / 1000));

  const tick = () => {
    const now = clock.now();
    for (let n = 0; n < perTick && connectIndex < order.length; n++, connectIndex++) {
      const slot = order[connectIndex]!;
      slot.link = makeLink(slot, connectIndex);
    }
    if (
      !everyoneConnected &&
      connectIndex >= order.length &&
      order.every((s) => !s.link || s.link.connected)
    ) {
      everyoneConnected = true;
      resolveAll();
    }
    if (scheduler) pending.push(...scheduler.due(now));
    if (pending.length) {
      pending.sort((a, b) => a.at - b.at);
      while (pending.length && pending[0]!.at <= now) startFault(pending.shift()!);
    }
    for (let i = 0; i < order.length; i++) {
      const slot = order[i]!;
      if (slot.downUntil) {
        if (now < slot.downUntil) continue;
        slot.downUntil = 0;
        slot.link = makeLink(slot, i);
      }
      const link = slot.link;
      if (!link?.connected) continue;
      // First report at a random point of the interval, so reports spread evenly.
      if (slot.nextAt === Number.POSITIVE_INFINITY)
        slot.nextAt = now + Math.random() * slot.model.intervalS * 1000 * 0.5;
      if (now < slot.nextAt) continue;
      slot.nextAt += slot.model.intervalS * 1000;
      if (slot.nextAt < now) slot.nextAt = now + slot.model.intervalS * 1000;
      if (inFlight() > maxInFlight) {
        counts.skipped++;
        continue;
      }
      for (const out of slot.model.report(slot.nextAt - slot.model.intervalS * 1000)) {
        if (out.channel === 'telemetry') counts.telemetry++;
        else counts.events++;
        link.publish(out.channel, out.payload, false, done);
      }
    }
  };
  const timer = setInterval(tick, opts.tickMs ?? 200);
  tick();

  return {
    clock,
    allConnected,
    counts: () => ({
      devices: order.length,
      connected: order.reduce((n, s) => n + (s.link?.connected ? 1 : 0), 0),
      down: order.reduce((n, s) => n + (s.downUntil ? 1 : 0), 0),
      inFlight: inFlight(),
      ...counts,
    }),
    inject(deviceId, faultId, o = {}) {
      pending.push({ at: o.at ?? clock.now(), faultId, deviceId, origin: o.origin ?? faultId, forS: o.forS });
    },
    async stop() {
      clearInterval(timer);
      // In batches: thousands of goodbyes at once overwhelm an in-process broker.
      for (let i = 0; i < order.length; i += 200)
        await Promise.all(order.slice(i, i + 200).map((s) => s.link?.close()));
      await Promise.all(gateways.map((g) => g.endAsync().catch(() => {})));
    },
  };
}
