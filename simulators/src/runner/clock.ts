/** Simulated time: starts at `startAt` and runs `speed` times faster than the wall clock. */
export interface SimClock {
  now(): number;
  readonly speed: number;
  /** Wall-clock milliseconds until simulated time `at`. */
  realDelay(at: number): number;
}

export function createClock(
  opts: { speed?: number; startAt?: number; wallNow?: () => number } = {},
): SimClock {
  const speed = opts.speed ?? 1;
  const wallNow = opts.wallNow ?? Date.now;
  const wallStart = wallNow();
  const startAt = opts.startAt ?? wallStart;
  return {
    speed,
    now: () => startAt + (wallNow() - wallStart) * speed,
    realDelay: (at) => Math.max(0, (at - (startAt + (wallNow() - wallStart) * speed)) / speed),
  };
}

/**
 * Where accelerated time should start so that a run of `simDurationS` simulated seconds ends
 * at the wall clock's end of the run: devices then never report from the future (the server
 * refuses readings far ahead of it).
 */
export function acceleratedStart(wallNow: number, simDurationS: number, speed: number): number {
  if (speed <= 1) return wallNow;
  return wallNow - simDurationS * 1000 * (1 - 1 / speed);
}
