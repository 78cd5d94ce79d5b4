import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The chaos spec starts its own Redis, PostgreSQL, api and workers and injects a 10 s
    // PostgreSQL outage; the pure specs take milliseconds.
    testTimeout: 240_000,
    hookTimeout: 60_000,
  },
});
