import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['@sluice/testkit/global-setup'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
