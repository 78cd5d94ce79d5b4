import { createRequire } from 'node:module';

/**
 * The version of @sluice/api, as its package.json says: the OpenAPI document's `info.version`.
 * Read from this module's place (`src/openapi/` and `dist/openapi/` sit at the same depth), so
 * the tests and an installed package find the same file.
 */
export const packageVersion = (): string => {
  const manifest: unknown = createRequire(import.meta.url)('../../package.json');
  const version = (manifest as { version?: unknown }).version;
  if (typeof version !== 'string') throw new Error('@sluice/api has no version in its package.json');
  return version;
};
