import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Panel } from '@grafana/schema';
import { describe, expect, it } from 'vitest';
import { METRIC, PROCESS_METRIC } from '../metric-names.js';
import { DASHBOARD_FILE } from './dashboard-file.js';
import { panelQueries, withGrafanaVariables } from './panel-queries.js';
import { DATASOURCE, SCRAPE_JOBS } from './prometheus-setup.js';
import { renderDashboard } from './render-dashboard.js';
import { createSluiceDashboard } from './sluice-dashboard.js';

const repoFile = (path: string): Promise<string> =>
  readFile(fileURLToPath(new URL(`../../../../${path}`, import.meta.url)), 'utf8');

const dashboard = createSluiceDashboard();
// The dashboard has no rows: every entry is a panel with queries.
const panels = (dashboard.panels ?? []).filter((panel): panel is Panel => !('collapsed' in panel));

describe('the Sluice dashboard', () => {
  it('is committed as generated: run `npm run dashboard` after changing it', async () => {
    expect(await readFile(DASHBOARD_FILE, 'utf8')).toBe(renderDashboard(dashboard));
  });

  it('has at least 10 panels, each with a title, a one-line description and a query', () => {
    expect(panels.length).toBeGreaterThanOrEqual(10);
    for (const panel of panels) {
      expect(panel.title).toEqual(expect.any(String));
      expect(panel.description).toMatch(/^[^\n]{20,}$/);
      expect('targets' in panel && panel.targets && panel.targets.length > 0).toBe(true);
    }
    expect(new Set(panels.map((p) => p.title)).size).toBe(panels.length);
  });

  it('lays the panels out on the 24-column grid without overlaps', () => {
    const cells = new Set<string>();
    for (const panel of panels) {
      const { x, y, w, h } = panel.gridPos!;
      expect(x + w).toBeLessThanOrEqual(24);
      for (let column = x; column < x + w; column += 1) {
        for (let row = y; row < y + h; row += 1) {
          const cell = `${column},${row}`;
          expect(cells.has(cell), `${panel.title} overlaps at ${cell}`).toBe(false);
          cells.add(cell);
        }
      }
    }
  });

  it('queries the provisioned datasource, and only series Sluice exposes (or Prometheus up)', () => {
    const known = [...Object.values(METRIC), ...Object.values(PROCESS_METRIC), 'up'];
    for (const panel of panels) expect(panel.datasource).toEqual(DATASOURCE);
    for (const { panel, expr, refId } of panelQueries(dashboard)) {
      expect(refId, panel).toMatch(/^[A-Z]$/);
      const names = expr.match(/\b(sluice_[a-z0-9_]+|up)(?=[{[)\s]|$)/g) ?? [];
      expect(names.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) {
        const base = name.replace(/_(bucket|sum|count)$/, '');
        expect(known.includes(name) || known.includes(base), `${panel}: unknown series ${name}`).toBe(true);
      }
    }
  });

  it('replaces Grafana interval variables so Prometheus can run an expression as is', () => {
    expect(
      withGrafanaVariables('increase(a[$__range]) / rate(b[$__rate_interval]) + rate(c[$__interval])', {
        rateInterval: '1m',
        range: '10m',
      }),
    ).toBe('increase(a[10m]) / rate(b[1m]) + rate(c[1m])');
  });
});

describe('the deploy files agree with the dashboard', () => {
  it('prometheus.yml scrapes the api and the workers under the job names the panels filter on', async () => {
    const config = await repoFile('deploy/prometheus.yml');
    const jobs = [...config.matchAll(/job_name:\s*(\S+)/g)].map((match) => match[1]);
    expect(jobs.sort()).toEqual(Object.values(SCRAPE_JOBS).sort());
    expect(config).toMatch(/targets: \['api:8038'\]/);
    expect(config).toMatch(/dns_sd_configs:\s*\n\s*- names: \['worker'\]\s*\n\s*type: A\s*\n\s*port: 9464/);
  });

  it('the provisioned datasource has the uid every panel names', async () => {
    const datasource = await repoFile('deploy/grafana/provisioning/datasources/prometheus.yml');
    expect(datasource).toContain(`uid: ${DATASOURCE.uid}`);
    expect(datasource).toContain('type: prometheus');
  });

  it('docs/operations.md explains every panel', async () => {
    const operations = await repoFile('docs/operations.md');
    const missing = panels.map((panel) => panel.title).filter((title) => !operations.includes(`**${title}**`));
    expect(missing, 'panels docs/operations.md does not explain').toEqual([]);
  });
});
