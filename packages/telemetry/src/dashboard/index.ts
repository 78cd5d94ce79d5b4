export { panelQueries, withGrafanaVariables, type PanelQuery } from './panel-queries.js';
export {
  barGauge,
  query,
  stat,
  timeSeries,
  type PanelSpec,
  type PrometheusQuery,
  type UnplacedPanel,
} from './panels.js';
export { DASHBOARD_UID, DATASOURCE, SCRAPE_JOBS } from './prometheus-setup.js';
export { renderDashboard } from './render-dashboard.js';
export { createSluiceDashboard } from './sluice-dashboard.js';
