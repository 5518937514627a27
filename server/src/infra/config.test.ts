import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.EMBEDDED_MQTT_PORT).not.toBe(1883);
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DEVICE_SECRET: 'short' }, 'DEVICE_SECRET'],
    [{ SEED_DEMO_USERS: 'maybe' }, 'SEED_DEMO_USERS'],
    [{ ALLOWED_ORIGINS: 'https://wall.example/screen' }, 'ALLOWED_ORIGINS'],
  ])('names the bad variable in %o', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^invalid configuration: ${variable}:`));
  });

  it('converts numbers and booleans', () => {
    const config = loadConfig({ PORT: '0', SEED_DEMO_USERS: 'false', INGEST_BATCH_MAX: '500' });
    expect(config).toMatchObject({ PORT: 0, SEED_DEMO_USERS: false, INGEST_BATCH_MAX: 500 });
  });
});
