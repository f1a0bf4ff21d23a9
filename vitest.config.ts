import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs no servers and runs everywhere; `integration`
// talks to the real Kafka, Redis and chDB that `infra/` starts (test/setup.ts
// checks they are up and says what to run if not).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Integration tests share one broker, one Redis and one machine of 2 cores:
          // files run one after another so fault tests (broker restarts) never hit a neighbour.
          fileParallelism: false,
        },
      },
    ],
  },
});
