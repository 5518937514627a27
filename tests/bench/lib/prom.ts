/** One sample line of the Prometheus text format. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseProm(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!;
    }
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

export async function scrape(baseUrl: string): Promise<PromSample[]> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (!res.ok) throw new Error(`/metrics: ${res.status}`);
  return parseProm(await res.text());
}

export function value(samples: PromSample[], name: string): number {
  return samples.find((s) => s.name === name)?.value ?? Number.NaN;
}

/** Histograms whose name matches `pattern`, as cumulative buckets (summed over other labels). */
export function histograms(samples: PromSample[], pattern: RegExp) {
  const found = new Map<string, { buckets: Map<number, number>; sum: number; count: number }>();
  for (const s of samples) {
    if (!s.name.endsWith('_bucket')) continue;
    const base = s.name.slice(0, -'_bucket'.length);
    if (!pattern.test(base)) continue;
    const h = found.get(base) ?? { buckets: new Map(), sum: 0, count: 0 };
    const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
    h.buckets.set(le, (h.buckets.get(le) ?? 0) + s.value);
    found.set(base, h);
  }
  for (const [base, h] of found) {
    h.sum = samples.filter((s) => s.name === `${base}_sum`).reduce((a, s) => a + s.value, 0);
    h.count = samples.filter((s) => s.name === `${base}_count`).reduce((a, s) => a + s.value, 0);
  }
  return found;
}

/** Quantile from cumulative buckets, interpolating linearly inside a bucket (as Prometheus does). */
export function bucketQuantile(buckets: Map<number, number>, q: number): number {
  const les = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Number.POSITIVE_INFINITY) ?? buckets.get(les.at(-1)!) ?? 0;
  if (total === 0) return Number.NaN;
  const target = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const le of les) {
    const c = buckets.get(le)!;
    if (c >= target) {
      if (!Number.isFinite(le)) return prevLe;
      return prevLe + ((le - prevLe) * (target - prevCount)) / Math.max(1e-9, c - prevCount);
    }
    prevLe = le;
    prevCount = c;
  }
  return prevLe;
}

/** Difference of two histogram snapshots (after − before), to look at one span only. */
export function bucketDelta(after: Map<number, number>, before: Map<number, number> | undefined) {
  const out = new Map<number, number>();
  for (const [le, c] of after) out.set(le, c - (before?.get(le) ?? 0));
  return out;
}
