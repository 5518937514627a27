export {
  alertText,
  countsText,
  RateMeter,
  StatusLine,
  shanghaiTime,
  untilInterrupted,
} from './cli/terminal.ts';
export { buildDashboard, dashboardBuilt, freePort } from './demo-support.ts';
export { DEFAULT_SEED, DISTRICT_SPEC, generateDistrict, gridAtKm } from './district/generate.ts';
export { districtGeoJson, mapFeatures, regionFeatures } from './district/geojson.ts';
export type { District, RegionNode, Road, Site } from './district/types.ts';
export { fleetCsv, fleetGeoJson } from './fleet/export.ts';
export { CAMERAS_PER_DISTRICT, generateFleet } from './fleet/generate.ts';
export type { FleetOptions, SimDevice } from './fleet/types.ts';
export { createModel } from './models/create.ts';
export { ALL_FAULTS, estimateAlertRate, FAULTS, FIRE_RISK } from './models/faults.ts';
export type { DeviceModel } from './models/model.ts';
export { acceleratedStart, createClock, type SimClock } from './runner/clock.ts';
export {
  type FleetProcess,
  type FleetProcessOptions,
  spawnFleetProcess,
  startFleetProcess,
} from './runner/fleet-process.ts';
export {
  type FleetCounts,
  type FleetRunner,
  type FleetRunnerOptions,
  startFleet,
} from './runner/fleet-runner.ts';
export {
  runScenario,
  type ScenarioRunOptions,
  type ScenarioRunResult,
  scenarioDevices,
} from './scenarios/run.ts';
export {
  checkAlerts,
  expectedAlerts,
  isAnticipated,
  loadScenario,
  type Scenario,
  scenarioId,
  scenarioNames,
} from './scenarios/scenario.ts';
export { login, type ProvisionResult, provision, ServerApiError } from './server-api.ts';
