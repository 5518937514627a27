import { readdir, readFile, stat } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

/** Where a function lives, coarsely: which package or which server domain. */
function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const src = /(server|devices)\/src\/([^/]+)/.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  if (url.startsWith('node:')) return url.split('/')[0]!;
  return url
    .replace(/^file:\/\//, '')
    .split('/')
    .slice(-2)
    .join('/');
}

/**
 * Self time by function and by area, from the newest main-thread `.cpuprofile` in `dir`
 * (`CPU.<date>.<time>.<pid>.<thread>.<n>`; thread 0 is the main thread, the others are
 * workers such as tsx's loader).
 */
export async function summarizeNewestProfile(dir: string, top = 15): Promise<string[]> {
  const files = await Promise.all(
    (await readdir(dir))
      .filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f))
      .map(async (f) => ({ f, m: (await stat(`${dir}/${f}`)).mtimeMs })),
  );
  const newest = files.sort((a, b) => b.m - a.m)[0];
  if (!newest) return [`no .cpuprofile in ${dir}`];
  const profile = JSON.parse(await readFile(`${dir}/${newest.f}`, 'utf8')) as Profile;
  const totalHits = profile.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0) || 1;
  const seconds = (profile.endTime - profile.startTime) / 1e6;
  const byFn = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const file = url
      .replace(/^file:\/\//, '')
      .split('/')
      .slice(-2)
      .join('/');
    const fnKey = `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
    byFn.set(fnKey, (byFn.get(fnKey) ?? 0) + hits);
    const a = area(url, functionName);
    byArea.set(a, (byArea.get(a) ?? 0) + hits);
  }
  const pct = (h: number) => `${((100 * h) / totalHits).toFixed(1).padStart(5)} %`;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `${newest.f}: ${seconds.toFixed(0)} s profiled`,
    'self time by area:',
    ...sorted(byArea).map(([k, h]) => `  ${pct(h)}  ${k}`),
    'self time by function:',
    ...sorted(byFn).map(([k, h]) => `  ${pct(h)}  ${k}`),
  ];
}
