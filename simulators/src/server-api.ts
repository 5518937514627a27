import type { DeviceImportResult, RegionImportResult } from '@gridwatch/devices';
import { districtGeoJson } from './district/geojson.ts';
import type { District } from './district/types.ts';
import { fleetGeoJson } from './fleet/export.ts';
import type { SimDevice } from './fleet/types.ts';

/** A failed call to the gridwatch server, with what the server said. */
export class ServerApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ServerApiError';
  }
}

async function call<T>(base: string, path: string, init: RequestInit & { token?: string }): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let res: Response;
  try {
    res = await fetch(new URL(path, base), { ...init, headers });
  } catch (err) {
    throw new ServerApiError(0, `cannot reach ${base}: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {}
    throw new ServerApiError(
      res.status,
      `${init.method ?? 'GET'} ${path}: ${res.status} ${message.slice(0, 300)}`,
    );
  }
  return JSON.parse(text) as T;
}

export async function login(base: string, username: string, password: string): Promise<string> {
  const body = await call<{ token: string }>(base, '/api/auth/login', {
    method: 'POST',
    body: JSON.stringify({ username, password }),
  });
  return body.token;
}

export interface ProvisionResult {
  regions: RegionImportResult;
  devices: DeviceImportResult;
}

/**
 * Imports the district (regions, roads, compounds, stations) and the fleet through the
 * server's REST imports, as an operator would. Devices go in chunks to keep requests small.
 */
export async function provision(
  base: string,
  token: string,
  district: District,
  devices: SimDevice[],
  chunk = 5000,
): Promise<ProvisionResult> {
  const regions = await call<RegionImportResult>(base, '/api/regions/import', {
    method: 'POST',
    token,
    body: JSON.stringify(districtGeoJson(district)),
  });
  const total: DeviceImportResult = {
    imported: 0,
    placed: 0,
    unplaced: 0,
    errors: [],
    provisioningInBackground: false,
    provisioning: { ready: 0, pending: 0, failed: 0 },
    provisioningFailures: [],
  };
  for (let i = 0; i < devices.length; i += chunk) {
    const r = await call<DeviceImportResult>(base, '/api/devices/import', {
      method: 'POST',
      token,
      body: JSON.stringify(fleetGeoJson(devices.slice(i, i + chunk))),
    });
    total.imported += r.imported;
    total.placed += r.placed;
    total.unplaced += r.unplaced;
    total.errors.push(...r.errors);
    total.provisioningInBackground ||= r.provisioningInBackground;
    total.provisioning.ready += r.provisioning.ready;
    total.provisioning.pending += r.provisioning.pending;
    total.provisioning.failed += r.provisioning.failed;
    total.provisioningFailures.push(...r.provisioningFailures);
  }
  return { regions, devices: total };
}
