import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Real Redis and PostgreSQL for the whole run, started once: see @sluice/testkit.
    globalSetup: ['@sluice/testkit/global-setup'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
