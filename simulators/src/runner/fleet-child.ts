import { DEFAULT_SEED, generateDistrict } from '../district/generate.ts';
import { generateFleet } from '../fleet/generate.ts';
import { createClock } from './clock.ts';
import type { FromFleet, ToFleet } from './fleet-process.ts';
import { type FleetRunner, startFleet } from './fleet-runner.ts';

/** The child side of startFleetProcess: runs one fleet, reports over IPC. */
const send = (m: FromFleet) => {
  // The parent may be gone already (Ctrl-C reaches the whole process group): never crash on it.
  if (process.connected) process.send?.(m, undefined, {}, () => {});
};
let fleet: FleetRunner | undefined;
let ticker: NodeJS.Timeout | undefined;
let lastError = 0;

// The parent handles Ctrl-C and tells this process to stop.
process.on('SIGINT', () => {});

process.on('message', async (m: ToFleet) => {
  try {
    if (m.type === 'start' && !fleet) {
      const { devices, scale, speed, startAt, ...rest } = m.options;
      const seed = rest.seed ?? DEFAULT_SEED;
      const list = devices ?? generateFleet(generateDistrict(seed), { scale, seed });
      const clock = createClock({ speed, startAt });
      fleet = startFleet({
        ...rest,
        devices: list,
        clock,
        onFault: (fault) => send({ type: 'fault', fault }),
        onError: (err) => {
          // A broker refusing thousands of devices would flood the parent: one a second is plenty.
          if (Date.now() - lastError > 1000) {
            lastError = Date.now();
            send({ type: 'error', message: err.message });
          }
        },
      });
      send({ type: 'started', devices: list.length, simStart: clock.now() });
      fleet.allConnected.then(() => send({ type: 'connected' }));
      ticker = setInterval(
        () => send({ type: 'counts', counts: fleet!.counts(), simNow: clock.now() }),
        1000,
      );
    } else if (m.type === 'inject') {
      fleet?.inject(m.deviceId, m.faultId, { at: m.at, origin: m.origin, forS: m.forS });
    } else if (m.type === 'stop') {
      if (ticker) clearInterval(ticker);
      await fleet?.stop();
      send({ type: 'stopped', counts: fleet?.counts() ?? ({} as never) });
      process.exit(0);
    }
  } catch (err) {
    send({ type: 'error', message: (err as Error).message });
  }
});

process.on('disconnect', () => {
  // The parent is gone: stop publishing rather than run orphaned.
  void fleet?.stop().finally(() => process.exit(0));
  if (!fleet) process.exit(0);
});
