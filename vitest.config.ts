import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites start real PostgreSQL and MQTT brokers; two cores are all we have.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
