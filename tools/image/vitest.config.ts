import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The broken-image spec builds images with podman (seconds each once the layers are cached).
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
