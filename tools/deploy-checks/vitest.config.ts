import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // dclint and promtool run as child processes; everything else reads files.
    testTimeout: 30_000,
  },
});
