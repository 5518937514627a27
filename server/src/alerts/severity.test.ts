import { describe, expect, it } from 'vitest';
import { loadConfig } from '../infra/config.ts';
import { ackDueAt, ackLimitsFrom, worseSeverity } from './severity.ts';

const limits = ackLimitsFrom(loadConfig({ ACK_LIMIT_MAJOR_S: '300' }));

describe('acknowledgement limits', () => {
  it.each([
    ['critical', 120_000],
    ['major', 300_000],
    ['minor', 1_800_000],
    ['warning', 7_200_000],
  ] as const)('%s is due %i ms after first seen', (severity, ms) => {
    expect(ackDueAt(1_000, severity, limits)).toBe(1_000 + ms);
  });

  it.each([
    ['warning', 'critical', 'critical'],
    ['critical', 'warning', 'critical'],
    ['minor', 'major', 'major'],
    ['major', 'major', 'major'],
  ] as const)('worse of %s and %s is %s', (a, b, expected) => {
    expect(worseSeverity(a, b)).toBe(expected);
  });
});
