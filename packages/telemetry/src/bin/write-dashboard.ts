/**
 * `npm run dashboard`: writes the Grafana dashboard, generated from sluice-dashboard.ts, to
 * deploy/grafana/dashboards/sluice.json. The dashboard spec fails while the file is stale.
 */
import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSluiceDashboard, renderDashboard } from '../dashboard/index.js';
import { DASHBOARD_FILE } from '../dashboard/dashboard-file.js';

const main = async (): Promise<void> => {
  await writeFile(DASHBOARD_FILE, renderDashboard(createSluiceDashboard()));
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  console.log(`wrote ${relative(root, DASHBOARD_FILE)}`);
};

main().catch((error: unknown) => {
  console.error('could not write the dashboard:', error);
  process.exit(1);
});
