import type { Dashboard } from '@grafana/schema';

/**
 * The dashboard as the file Grafana provisions: two-space JSON and a final newline, so a
 * regenerated file differs from the committed one only where the dashboard changed.
 *
 * @example
 * await writeFile('deploy/grafana/dashboards/sluice.json', renderDashboard(createSluiceDashboard()));
 */
export const renderDashboard = (dashboard: Dashboard): string => `${JSON.stringify(dashboard, null, 2)}\n`;
