import { readFileSync } from 'node:fs';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, CAUSE_LABELS, CORRELATION_RULES } from './catalogue.ts';
import { DEVICE_KINDS } from './kinds.ts';
import { deviceTopic, parseTopic } from './topics.ts';

describe('topics', () => {
  it.each([
    ['gw/camera/cam-001/telemetry', { kind: 'camera', deviceId: 'cam-001', channel: 'telemetry' }],
    ['gw/charger/chg_7/status', { kind: 'charger', deviceId: 'chg_7', channel: 'status' }],
    ['gw/toaster/x/telemetry', { error: 'unknown-kind' }],
    ['gw/camera/+/telemetry', { error: 'bad-device-id' }],
    ["gw/camera/x';DROP TABLE devices;--/telemetry", { error: 'bad-device-id' }],
    ['gw/camera/<script>/event', { error: 'bad-device-id' }],
    ['gw/camera/a/b/c', { error: 'bad-topic' }],
    ['gw/locker/l1/firmware', { error: 'unknown-channel' }],
  ])('parses %s', (topic, expected) => {
    expect(parseTopic(topic)).toEqual(expected);
  });

  it('round-trips what deviceTopic builds', () => {
    expect(parseTopic(deviceTopic('locker', 'L-1', 'event'))).toEqual({
      kind: 'locker',
      deviceId: 'L-1',
      channel: 'event',
    });
  });
});

describe('catalogue', () => {
  it('labels every cause and keeps rule ids unique', () => {
    const ids = DEVICE_KINDS.flatMap((k) => CATALOGUE[k].rules.map((r) => r.id)).concat(
      CORRELATION_RULES.map((r) => r.id),
    );
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(CAUSE_LABELS[id], id).toBeDefined();
  });

  it('points every rule at a metric or event the kind has', () => {
    for (const kind of DEVICE_KINDS) {
      const spec = CATALOGUE[kind];
      for (const rule of spec.rules) {
        if ('metric' in rule) expect(spec.metrics[rule.metric], `${rule.id}`).toBeDefined();
        if (rule.type === 'event') expect(spec.events[rule.event], `${rule.id}`).toBeDefined();
      }
    }
  });

  it('accepts a realistic charger reading and refuses a wrong one', () => {
    const schema = CATALOGUE.charger.schemas.telemetry;
    const good = {
      ts: 1,
      seq: 1,
      voltageV: 220,
      currentA: 12,
      powerKw: 2.6,
      energyKwh: 1000,
      temperatureC: 40,
      leakageMa: 2,
      ports: [{ port: 1, state: 'charging', currentA: 1.5 }],
    };
    expect(Value.Check(schema, good)).toBe(true);
    expect(Value.Check(schema, { ...good, temperatureC: 'hot' })).toBe(false);
    expect(Value.Check(schema, { ...good, extra: 1 })).toBe(false);
  });
});

/** Every numeric field of a schema, as `path` → its bounds (array items as `[]`). */
function numericFields(schema: TSchema, path = ''): Array<[string, { minimum?: number; maximum?: number }]> {
  const s = schema as {
    type?: string;
    properties?: Record<string, TSchema>;
    items?: TSchema;
    minimum?: number;
    maximum?: number;
  };
  if (s.type === 'number' || s.type === 'integer')
    return [[path, { minimum: s.minimum, maximum: s.maximum }]];
  if (s.type === 'object' && s.properties)
    return Object.entries(s.properties).flatMap(([k, v]) => numericFields(v, path ? `${path}.${k}` : k));
  if (s.type === 'array' && s.items) return numericFields(s.items, `${path}[]`);
  return [];
}

describe('payload bounds', () => {
  const channels = ['telemetry', 'event', 'status'] as const;
  const doc = readFileSync(new URL('../../docs/device-payloads.md', import.meta.url), 'utf8');
  const fmt = (n: number) =>
    Number.isSafeInteger(n) && Math.abs(n) >= 10_000 ? n.toLocaleString('en-US') : String(n);

  it.each(DEVICE_KINDS.flatMap((kind) => channels.map((channel) => [kind, channel] as const)))(
    'bounds every numeric field of %s %s, as docs/device-payloads.md says',
    (kind, channel) => {
      const fields = numericFields(CATALOGUE[kind].schemas[channel]);
      expect(fields.length).toBeGreaterThan(0);
      for (const [path, { minimum, maximum }] of fields) {
        expect(Number.isFinite(minimum), `${path} minimum`).toBe(true);
        expect(Number.isFinite(maximum), `${path} maximum`).toBe(true);
        const row = `| ${kind} | ${channel} | \`${path}\` | ${fmt(minimum!)} | ${fmt(maximum!)} |`;
        expect(doc, `docs/device-payloads.md lacks the row ${row}`).toContain(row);
      }
    },
  );

  it('refuses a charger reading whose energy no meter can show', () => {
    const schema = CATALOGUE.charger.schemas.telemetry;
    const reading = {
      ts: 1,
      seq: 1,
      voltageV: 220,
      currentA: 12,
      powerKw: 2.6,
      energyKwh: 1e308,
      temperatureC: 40,
      leakageMa: 2,
      ports: [],
    };
    expect(Value.Check(schema, reading)).toBe(false);
    expect(Value.Check(schema, { ...reading, energyKwh: 99_999_999.9 })).toBe(true);
  });
});
