import type { Dashboard } from '@grafana/schema';

/** One PromQL expression of one panel. */
export interface PanelQuery {
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
}

/**
 * Every query of every panel (rows included), in panel order.
 *
 * @example
 * for (const { panel, expr } of panelQueries(createSluiceDashboard())) console.log(panel, expr);
 */
export const panelQueries = (dashboard: Dashboard): ReadonlyArray<PanelQuery> =>
  (dashboard.panels ?? []).flatMap((panel) => {
    const nested = 'panels' in panel && Array.isArray(panel.panels) ? panel.panels : [];
    return [panel, ...nested].flatMap((p) =>
      ('targets' in p ? (p.targets ?? []) : []).map((target) => ({
        panel: p.title ?? '(untitled)',
        refId: String(target.refId ?? ''),
        expr: String(target.expr ?? ''),
      })),
    );
  });

/**
 * Replaces Grafana's own interval variables, which Prometheus does not know, so an expression can
 * be sent to Prometheus's query API directly (what Grafana does before it sends one).
 *
 * @example
 * withGrafanaVariables('rate(x[$__rate_interval])', { rateInterval: '1m', range: '5m' }); // 'rate(x[1m])'
 */
export const withGrafanaVariables = (
  expr: string,
  values: { readonly rateInterval: string; readonly range: string },
): string =>
  expr
    .replaceAll('$__rate_interval', values.rateInterval)
    .replaceAll('$__interval', values.rateInterval)
    .replaceAll('$__range', values.range);
