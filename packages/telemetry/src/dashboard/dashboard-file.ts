import { fileURLToPath } from 'node:url';

/**
 * Where the generated dashboard lives in the repository. Resolved from this module's own place
 * (src/dashboard or dist/dashboard, both four levels below the root), not from the working
 * directory, so the generator and the spec agree wherever they are run from.
 */
export const DASHBOARD_FILE = fileURLToPath(
  new URL('../../../../deploy/grafana/dashboards/sluice.json', import.meta.url),
);
