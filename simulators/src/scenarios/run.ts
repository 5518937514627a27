import { generateDistrict } from '../district/generate.ts';
import { generateFleet } from '../fleet/generate.ts';
import type { SimDevice } from '../fleet/types.ts';
import { acceleratedStart, createClock } from '../runner/clock.ts';
import type { PlannedFault } from '../runner/fault-scheduler.ts';
import { type FleetCounts, startFleet } from '../runner/fleet-runner.ts';
import { loadScenario, type Scenario, scenarioId } from './scenario.ts';

/** The devices a scenario runs, with ids as the run uses them (prefixed for tests). */
export function scenarioDevices(scenario: Scenario | string, opts: { idPrefix?: string } = {}): SimDevice[] {
  const s = typeof scenario === 'string' ? loadScenario(scenario) : scenario;
  const fleet = generateFleet(generateDistrict(s.seed));
  const wanted = new Set([...s.devices, ...s.steps.map((st) => st.device), ...s.expect.map((e) => e.device)]);
  const sites = new Set(s.sites);
  const chosen = fleet.filter((d) => wanted.has(d.id) || (d.site !== null && sites.has(d.site)));
  const missing = [...wanted].filter((id) => !chosen.some((d) => d.id === id));
  if (missing.length)
    throw new Error(`scenario ${s.name}: no such device(s) ${missing.join(', ')} for seed ${s.seed}`);
  return chosen.map((d) => ({ ...d, id: scenarioId(d.id, opts.idPrefix) }));
}

export interface ScenarioRunOptions {
  scenario: Scenario | string;
  mqttUrl: string;
  fleetSecret: string;
  /** Simulated seconds per real second. Simulated time ends at the real end, never ahead. @default 1 */
  speed?: number;
  idPrefix?: string;
  onFault?: (fault: PlannedFault & { started: boolean }) => void;
  onError?: (err: Error) => void;
}

export interface ScenarioRunResult {
  scenario: Scenario;
  devices: SimDevice[];
  faults: Array<PlannedFault & { started: boolean }>;
  counts: FleetCounts;
  realMs: number;
}

/**
 * Runs a scenario: connects its devices, publishes their normal telemetry, starts each
 * step's fault at its simulated time, and returns after `durationS` (simulated). Random
 * faults are off, so every alert should be one the scenario lists.
 */
export async function runScenario(opts: ScenarioRunOptions): Promise<ScenarioRunResult> {
  const scenario = typeof opts.scenario === 'string' ? loadScenario(opts.scenario) : opts.scenario;
  const speed = opts.speed ?? 1;
  const devices = scenarioDevices(scenario, { idPrefix: opts.idPrefix });
  const started = Date.now();
  const clock = createClock({ speed, startAt: acceleratedStart(started, scenario.durationS, speed) });
  const faults: ScenarioRunResult['faults'] = [];
  const fleet = startFleet({
    devices,
    mqttUrl: opts.mqttUrl,
    fleetSecret: opts.fleetSecret,
    seed: scenario.seed,
    clock,
    faults: false,
    connectPerSecond: 1000,
    tickMs: 100,
    onFault: (f) => {
      faults.push(f);
      opts.onFault?.(f);
    },
    onError: opts.onError,
  });
  try {
    await Promise.race([
      fleet.allConnected,
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`scenario ${scenario.name}: devices could not connect to ${opts.mqttUrl}`)),
          30_000,
        ),
      ),
    ]);
    const t0 = clock.now();
    for (const step of scenario.steps)
      fleet.inject(scenarioId(step.device, opts.idPrefix), step.fault, {
        at: t0 + step.atS * 1000,
        origin: scenario.name,
        forS: step.forS,
      });
    await new Promise((r) => setTimeout(r, clock.realDelay(t0 + scenario.durationS * 1000)));
    return { scenario, devices, faults, counts: fleet.counts(), realMs: Date.now() - started };
  } finally {
    await fleet.stop();
  }
}
