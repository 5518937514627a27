import type { LoadGenConfig, LoadGenMessage, LoadGenReport } from '../load-gen.ts';
import { type Child, forkLoadGen } from './children.ts';

export interface LoadOptions {
  mqttUrl: string;
  fleetSecret: string;
  prefix: string;
  fleetSize: number;
  /** Total messages per second over all load processes. */
  rate: number;
  seconds: number;
  /** Load-generator processes sharing the fleet. @default 1 */
  workers?: number;
  maxInflight?: number;
  eventShare?: number;
  connectTimeoutS?: number;
}

export interface LoadTotals {
  published: number;
  publishedEvents: number;
  acked: number;
  failed: number;
  firstPublishAt: number;
  lastPublishAt: number;
  perSecond: number[];
  saturatedShare: number;
}

/** The fleet, split over `workers` load-generator processes. */
export async function connectLoad(opts: LoadOptions) {
  const workers = Math.max(1, opts.workers ?? 1);
  const children: Child<LoadGenMessage>[] = [];
  const per = Math.ceil(opts.fleetSize / workers);
  for (let w = 0; w < workers; w++) {
    const cfg: LoadGenConfig = {
      mqttUrl: opts.mqttUrl,
      fleetSecret: opts.fleetSecret,
      prefix: opts.prefix,
      fleetSize: opts.fleetSize,
      sliceStart: w * per,
      sliceEnd: Math.min(opts.fleetSize, (w + 1) * per),
      rate: opts.rate / workers,
      seconds: opts.seconds,
      maxInflight: opts.maxInflight ?? 100,
      eventShare: opts.eventShare ?? 0,
      connectTimeoutS: opts.connectTimeoutS ?? 180,
    };
    children.push(forkLoadGen(cfg));
  }
  try {
    await Promise.all(
      children.map((c) => c.next('connected', (opts.connectTimeoutS ?? 180) * 1000 + 60_000)),
    );
  } catch (err) {
    await Promise.all(children.map((c) => c.close()));
    throw err;
  }
  let progress = { published: 0, acked: 0, inflight: 0 };
  const latest = new Map<Child<LoadGenMessage>, typeof progress>();
  for (const c of children)
    c.on((m) => {
      if (m.type !== 'progress') return;
      latest.set(c, m);
      progress = [...latest.values()].reduce(
        (a, p) => ({
          published: a.published + p.published,
          acked: a.acked + p.acked,
          inflight: a.inflight + p.inflight,
        }),
        { published: 0, acked: 0, inflight: 0 },
      );
    });
  return {
    progress: () => progress,
    pids: () => children.map((c) => c.proc.pid!).filter(Boolean),
    /** Starts publishing; resolves when every process has finished and its acknowledgements arrived. */
    async run(): Promise<LoadTotals> {
      const done = children.map((c) => c.next('done', (opts.seconds + 600) * 1000));
      for (const c of children) c.send({ cmd: 'start' });
      return merge((await Promise.all(done)).map((d) => d.report));
    },
    stop() {
      for (const c of children) c.send({ cmd: 'stop' });
    },
    async close() {
      await Promise.all(children.map((c) => c.close()));
    },
  };
}

function merge(reports: LoadGenReport[]): LoadTotals {
  const perSecond: number[] = [];
  for (const r of reports) {
    for (let i = 0; i < r.perSecond.length; i++) perSecond[i] = (perSecond[i] ?? 0) + (r.perSecond[i] ?? 0);
  }
  const ticks = reports.reduce((a, r) => a + r.ticks, 0);
  return {
    published: reports.reduce((a, r) => a + r.published, 0),
    publishedEvents: reports.reduce((a, r) => a + r.publishedEvents, 0),
    acked: reports.reduce((a, r) => a + r.acked, 0),
    failed: reports.reduce((a, r) => a + r.failed, 0),
    firstPublishAt: Math.min(...reports.map((r) => r.firstPublishAt)),
    lastPublishAt: Math.max(...reports.map((r) => r.lastPublishAt)),
    perSecond,
    saturatedShare: ticks ? reports.reduce((a, r) => a + r.saturatedTicks, 0) / ticks : 0,
  };
}
