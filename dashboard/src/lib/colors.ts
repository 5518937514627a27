import type { DeviceKind, Severity } from '@gridwatch/devices/kinds';

/** One palette for the wall, the console and the map. */
export const SEVERITY_COLORS: Record<Severity, string> = {
  critical: '#ff3b4f',
  major: '#ff8a1f',
  minor: '#f5d142',
  warning: '#3fa9ff',
};

export const KIND_COLORS: Record<DeviceKind, string> = {
  camera: '#38e1ff',
  charger: '#41f2a0',
  locker: '#b58cff',
};

export const OFFLINE_COLOR = '#5b6b82';
