import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // The stack test starts a real redis-server and PostgreSQL (initdb on first use).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
