import { ensureDashboardBuilt } from './support/build-dashboard.ts';

/** Vitest global setup for the e2e tier: build the dashboard once if dist is missing or stale. */
export default function setup(): void {
  ensureDashboardBuilt();
}
