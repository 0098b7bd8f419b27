import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The resilience scenarios run whole bot processes against rate limits for minutes: `npm run test:resilience`.
    exclude: [...configDefaults.exclude, 'test/resilience/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
