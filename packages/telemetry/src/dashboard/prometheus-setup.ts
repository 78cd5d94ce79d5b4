/**
 * Names that Grafana's provisioning, deploy/prometheus.yml and the dashboard must agree on. The
 * dashboard spec checks the deploy files against these.
 */

/** The provisioned Prometheus datasource: a fixed uid, so dashboard panels can name it. */
export const DATASOURCE = { type: 'prometheus', uid: 'sluice-prometheus' } as const;

/**
 * Prometheus `job` label of each scrape job. The dashboard counts workers up with
 * `up{job="sluice-worker"}`, so these must match `job_name` in deploy/prometheus.yml.
 */
export const SCRAPE_JOBS = { api: 'sluice-api', worker: 'sluice-worker' } as const;

/** The dashboard's uid: its URL is stable across re-provisioning (/d/sluice). */
export const DASHBOARD_UID = 'sluice';
