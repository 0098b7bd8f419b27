import { defineConfig } from 'vitest/config';

// `npm run test:resilience`: issue 5's scenarios, one at a time (each one times Slack's rate limits, so nothing
// else should compete for the CPU).
export default defineConfig({
  test: {
    include: ['test/resilience/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
