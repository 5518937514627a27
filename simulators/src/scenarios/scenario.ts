import { readdirSync, readFileSync } from 'node:fs';
import { SEVERITIES } from '@gridwatch/devices';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';

const ExpectedAlert = Type.Object(
  {
    cause: Type.String({ description: 'rule id, e.g. fire-risk' }),
    device: Type.String({ description: 'the alert’s deviceId (scenario id, before any prefix)' }),
    severity: Type.Enum(SEVERITIES),
  },
  { additionalProperties: false },
);

/** A scripted run: which devices run, which faults start when, and the alerts that must follow. */
export const Scenario = Type.Object(
  {
    name: Type.String(),
    description: Type.String(),
    /** District and fleet seed the device ids refer to. */
    seed: Type.Integer(),
    /** Simulated seconds the scenario runs. */
    durationS: Type.Number({ minimum: 1 }),
    /** Every device of these compounds or stations runs. */
    sites: Type.Array(Type.String()),
    /** Further devices that run. */
    devices: Type.Array(Type.String()),
    steps: Type.Array(
      Type.Object(
        {
          atS: Type.Number({ minimum: 0 }),
          fault: Type.String(),
          device: Type.String(),
          forS: Type.Optional(Type.Number({ minimum: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Alerts that must arrive. */
    expect: Type.Array(ExpectedAlert),
    /** Alerts that may arrive as well (e.g. a warning from the statistical detector). */
    allow: Type.Array(Type.Object({ cause: Type.String(), device: Type.Optional(Type.String()) })),
  },
  { additionalProperties: false },
);
export type Scenario = Static<typeof Scenario>;
export type ExpectedAlert = Static<typeof ExpectedAlert>;

const DIR = new URL('../../scenarios/', import.meta.url);

export function scenarioNames(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Reads and validates `simulators/scenarios/<name>.json`. */
export function loadScenario(name: string): Scenario {
  if (!scenarioNames().includes(name))
    throw new Error(`unknown scenario "${name}"; known: ${scenarioNames().join(', ')}`);
  const data: unknown = JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8'));
  if (!Value.Check(Scenario, data)) {
    const first = [...Value.Errors(Scenario, data)][0];
    throw new Error(`scenario ${name}: ${first?.instancePath ?? ''} ${first?.message ?? 'invalid'}`);
  }
  return data;
}

/** Device ids as they appear on the server: `<prefix>-<id>` when tests need unique ids. */
export function scenarioId(id: string, idPrefix?: string): string {
  return idPrefix ? `${idPrefix}-${id}` : id;
}

/** The alerts `scenario` must raise, with device ids as the run uses them. */
export function expectedAlerts(
  scenario: Scenario | string,
  opts: { idPrefix?: string } = {},
): Array<{ cause: string; deviceId: string; severity: ExpectedAlert['severity'] }> {
  const s = typeof scenario === 'string' ? loadScenario(scenario) : scenario;
  return s.expect.map((e) => ({
    cause: e.cause,
    deviceId: scenarioId(e.device, opts.idPrefix),
    severity: e.severity,
  }));
}

/** Whether an alert is one the scenario expects or allows. */
export function isAnticipated(
  scenario: Scenario,
  alert: { cause: string; deviceId: string },
  opts: { idPrefix?: string } = {},
): boolean {
  const id = (d: string) => scenarioId(d, opts.idPrefix);
  return (
    scenario.expect.some((e) => e.cause === alert.cause && id(e.device) === alert.deviceId) ||
    scenario.allow.some((a) => a.cause === alert.cause && (!a.device || id(a.device) === alert.deviceId))
  );
}

export interface AlertCheck {
  /** Expected alerts that did not arrive. */
  missing: Array<{ cause: string; deviceId: string; severity: string }>;
  /** Critical alerts about the scenario's devices that it neither expects nor allows. */
  unexpectedCritical: Array<{ cause: string; deviceId: string }>;
}

/** Compares the alerts a server raised with what `scenario` expects. */
export function checkAlerts(
  scenario: Scenario,
  alerts: Array<{ cause: string; deviceId: string; deviceIds?: string[]; severity: string }>,
  deviceIds: Set<string>,
  opts: { idPrefix?: string } = {},
): AlertCheck {
  const missing = expectedAlerts(scenario, opts).filter(
    (e) => !alerts.some((a) => a.cause === e.cause && a.deviceId === e.deviceId && a.severity === e.severity),
  );
  const unexpectedCritical = alerts
    .filter((a) => a.severity === 'critical')
    .filter((a) => [a.deviceId, ...(a.deviceIds ?? [])].some((id) => deviceIds.has(id)))
    .filter((a) => !isAnticipated(scenario, a, opts))
    .map((a) => ({ cause: a.cause, deviceId: a.deviceId }));
  return { missing, unexpectedCritical };
}
