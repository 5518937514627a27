/**
 * Daily rhythms in the centre's time zone (Asia/Shanghai, UTC+8 all year, no daylight
 * saving), as fractions of a device's busiest level.
 */
const SHANGHAI_OFFSET_H = 8;

/** Hour of day in Shanghai, fractional, in [0, 24). */
export function shanghaiHour(epochMs: number): number {
  const h = (epochMs / 3_600_000 + SHANGHAI_OFFSET_H) % 24;
  return h < 0 ? h + 24 : h;
}

const bump = (h: number, centre: number, width: number) => Math.exp(-(((h - centre) / width) ** 2) / 2);

/** Street traffic: morning and evening rush hours, lunch, a busy evening, quiet nights. */
export function streetActivity(h: number): number {
  const day = h >= 6.5 && h <= 22.5 ? 0.35 : 0.08;
  return Math.min(
    1,
    day +
      0.65 * bump(h, 8, 0.8) +
      0.3 * bump(h, 12.5, 1) +
      0.65 * bump(h, 18, 0.9) +
      0.4 * bump(h, 20.5, 1.2),
  );
}

/** Compound gates: people leave in the morning and come home in the evening. */
export function gateActivity(h: number): number {
  const day = h >= 6.5 && h <= 23 ? 0.25 : 0.05;
  return Math.min(1, day + 0.6 * bump(h, 7.8, 0.7) + 0.75 * bump(h, 18.5, 1) + 0.45 * bump(h, 21, 1.2));
}

/** Share of e-bike ports in use: people plug in when they come home and unplug in the morning. */
export function ebikeOccupancy(h: number): number {
  if (h >= 19 || h < 7) return 0.55 + 0.25 * bump(h < 7 ? h + 24 : h, 24, 3);
  return 0.12 + 0.2 * bump(h, 12.5, 1.5);
}

/** How full lockers are: couriers fill them by day, residents empty them in the evening. */
export function lockerFill(h: number): number {
  if (h < 8) return 0.25;
  if (h < 17) return 0.25 + 0.55 * ((h - 8) / 9);
  if (h < 22) return 0.8 - 0.5 * ((h - 17) / 5);
  return 0.3 - 0.05 * ((h - 22) / 2);
}

/** Outdoor temperature, °C: a November day in Xi'an. */
export function ambientC(h: number): number {
  return 8 + 6 * Math.cos(((h - 15) / 24) * 2 * Math.PI);
}
