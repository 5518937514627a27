import { defineConfig } from 'vitest/config';

/**
 * Three tiers, run in order: unit (pure code, beside it), integration (real broker and
 * database, tests/integration), e2e (real Chromium, tests/e2e). Integration tests stop and
 * start shared services, so tiers never overlap.
 */
const onCi = process.env.CI === 'true';

export default defineConfig({
  test: {
    reporters: onCi ? ['default', ['json', { outputFile: 'tests/artifacts/vitest.json' }]] : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'devices/src/**/*.test.ts',
            'server/src/**/*.test.ts',
            'simulators/src/**/*.test.ts',
            'dashboard/src/**/*.test.ts',
          ],
          environment: 'node',
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          retry: onCi ? 1 : 0,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          retry: onCi ? 1 : 0,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
