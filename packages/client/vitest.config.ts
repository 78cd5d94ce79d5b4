import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['@sluice/testkit/global-setup'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // The *.test-d.ts type specs: compiled by tsc, each `@ts-expect-error` that does not fire fails.
    typecheck: { enabled: true, tsconfig: './tsconfig.json' },
  },
});
