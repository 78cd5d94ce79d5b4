import { readFile } from 'node:fs/promises';
import { loadConfig } from '@sluice/config';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEPLOY_FILES, readCompose, repoPath, REPO_ROOT } from './deployment.js';
import { runCommand } from './run-command.js';

const PROMTOOL_HINT =
  'promtool was not found on PATH. Install it (Debian/Ubuntu: `sudo apt-get install -y prometheus`; ' +
  'macOS: `brew install prometheus`); .ci/run installs it when missing.';

interface ScrapeConfig {
  readonly job_name: string;
  readonly static_configs?: ReadonlyArray<{ readonly targets: ReadonlyArray<string> }>;
  readonly dns_sd_configs?: ReadonlyArray<{ readonly names: ReadonlyArray<string>; readonly port: number }>;
}

const prometheus = parse(await readFile(repoPath(DEPLOY_FILES.prometheus), 'utf8')) as {
  readonly scrape_configs: ReadonlyArray<ScrapeConfig>;
};
const compose = await readCompose();

describe('deploy/prometheus.yml', () => {
  it('passes promtool check config', async () => {
    const check = await runCommand('promtool', ['check', 'config', DEPLOY_FILES.prometheus], {
      cwd: REPO_ROOT,
      hint: PROMTOOL_HINT,
    });
    expect(check.code, check.output).toBe(0);
    expect(check.output).toMatch(/SUCCESS/);
  });

  it("scrapes the api at the compose service's name and the port the api listens on", () => {
    const targets = prometheus.scrape_configs
      .flatMap((job) => job.static_configs ?? [])
      .flatMap((group) => group.targets);
    const api = compose.services.api;
    expect(api).toBeDefined();
    expect(targets).toContain(`api:${loadConfig(api?.environment ?? {}).port}`);
  });

  it('finds every worker replica through DNS on the metrics port the workers serve', () => {
    const lookups = prometheus.scrape_configs.flatMap((job) => job.dns_sd_configs ?? []);
    const worker = compose.services.worker;
    expect(worker?.replicas).toBeGreaterThan(1);
    expect(lookups).toContainEqual(
      expect.objectContaining({ names: ['worker'], port: loadConfig(worker?.environment ?? {}).metricsPort }),
    );
  });
});
