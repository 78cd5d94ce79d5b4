import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Real Redis and PostgreSQL for the queue and enqueuer specs.
    globalSetup: ['@sluice/testkit/global-setup'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The *.test-d.ts type specs: compiled by tsc, each `@ts-expect-error` that does not fire fails.
    typecheck: { enabled: true, tsconfig: './tsconfig.json' },
    server: {
      deps: {
        // Task modules in the specs' outside projects (createOutsideProject of @sluice/testkit) are
        // user code that Node imports as it is: Vite must not transform them, or a spec would see
        // Vite's parse errors instead of Node's.
        external: [/\/sluice-project-[^/]+\//],
      },
    },
  },
});
