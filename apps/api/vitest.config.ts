import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['@sluice/testkit/global-setup'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // fuzz.test.ts forces garbage collection before it reads the heap, so that what it compares
    // is what the api keeps, not garbage not yet collected.
    execArgv: ['--expose-gc'],
    server: {
      deps: {
        // Task modules in the specs' outside projects (createOutsideProject of @sluice/testkit) are
        // user code that Node imports as it is, as in production: Vite must not transform them.
        external: [/\/sluice-project-[^/]+\//],
      },
    },
  },
});
