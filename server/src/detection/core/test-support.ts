import type { DeviceKind } from '@gridwatch/devices';
import type { DeviceMeta } from './engine.ts';

/** Test builders for detection (kept beside the code, used only by its tests). */
export function aDevice(
  id: string,
  kind: DeviceKind,
  site: string | null = null,
  gridId: string | null = 'G1',
): DeviceMeta {
  return { id, kind, site, gridId };
}

/** Deterministic PRNG (mulberry32) so statistical tests are repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Poisson sample (Knuth for small means, normal approximation above 50). */
export function poisson(mean: number, rnd: () => number): number {
  if (mean > 50) {
    const u = Math.max(rnd(), 1e-12);
    const v = rnd();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
  }
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rnd();
  } while (p > l);
  return k - 1;
}
