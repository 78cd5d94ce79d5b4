import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadConfig } from '@sluice/config';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { durationMs } from './compose-duration.js';
import { argumentAfter, enabledServices, type ComposeService } from './compose-file.js';
import { DEPLOY_FILES, readCompose, repoPath, serviceNamed, sluiceServices, REPO_ROOT } from './deployment.js';
import { runCommand } from './run-command.js';

const compose = await readCompose();

const service = (name: string): ComposeService => serviceNamed(compose, name);

const healthcheckText = (name: string): string => {
  const test = service(name).healthcheck?.test;
  return typeof test === 'string' ? test : (test ?? []).join(' ');
};

/** Longest a commit of one group may take on a busy PostgreSQL before we call it stuck. */
const COMMIT_ALLOWANCE_MS = 5_000;

describe('docker-compose.yml', () => {
  it('passes dclint: the compose specification schema and every style rule, without a warning', async () => {
    const manifest = createRequire(import.meta.url).resolve('dclint/package.json');
    const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> };
    const cli = join(dirname(manifest), bin.dclint ?? 'bin/dclint.cjs');
    const lint = await runCommand(process.execPath, [cli, DEPLOY_FILES.compose, '--max-warnings', '0', '--no-color'], {
      cwd: REPO_ROOT,
    });
    expect(lint).toEqual({ code: 0, output: '' });
  });

  it('runs Redis, PostgreSQL, the migrations, the api, the workers, Prometheus and Grafana', () => {
    expect(Object.keys(enabledServices(compose, [])).sort()).toEqual(
      ['api', 'grafana', 'migrate', 'postgres', 'prometheus', 'redis', 'worker'].sort(),
    );
    expect(
      sluiceServices(compose)
        .map(([name]) => name)
        .sort(),
    ).toEqual(['api', 'migrate', 'worker']);
  });

  it('keeps Redis durable and non-evicting: AOF with an fsync every second, noeviction, a volume, a healthcheck', () => {
    const redis = service('redis');
    expect(argumentAfter(redis.command, '--appendonly')).toBe('yes');
    expect(argumentAfter(redis.command, '--appendfsync')).toBe('everysec');
    expect(argumentAfter(redis.command, '--maxmemory-policy')).toBe('noeviction');
    expect(redis.volumes).toContain('redis-data:/data');
    expect(healthcheckText('redis')).toMatch(/redis-cli ping/);
  });

  it('keeps PostgreSQL data in a named volume where its image version stores it, with a healthcheck', () => {
    const postgres = service('postgres');
    const major = Number(/^postgres:(\d+)/.exec(postgres.image ?? '')?.[1]);
    expect(major).toBeGreaterThanOrEqual(15);
    // From 18 on, the official image keeps data in /var/lib/postgresql/<major>/docker and declares
    // /var/lib/postgresql as its volume; a volume at the old …/data path would not persist.
    const dataPath = major >= 18 ? '/var/lib/postgresql' : '/var/lib/postgresql/data';
    expect(postgres.volumes).toContain(`postgres-data:${dataPath}`);
    expect(healthcheckText('postgres')).toMatch(/pg_isready/);
  });

  it('runs the migrations once, after PostgreSQL is healthy, and starts the api and the workers after they succeed', () => {
    expect(service('migrate')).toMatchObject({
      restart: 'no',
      dependsOn: { postgres: { condition: 'service_healthy', required: true } },
    });
    for (const name of ['api', 'worker']) {
      expect(service(name).dependsOn, name).toEqual({
        migrate: { condition: 'service_completed_successfully', required: true },
        postgres: { condition: 'service_healthy', required: true },
        redis: { condition: 'service_healthy', required: true },
        // The Redis Cluster's one shot, when its profile is on (compose-cluster-profile.test.ts).
        'redis-cluster-create': { condition: 'service_completed_successfully', required: false },
      });
    }
  });

  it('publishes the api on port 8038 with a readiness healthcheck on /readyz', () => {
    const api = service('api');
    expect(loadConfig(api.environment).port).toBe(8038);
    expect(api.ports).toEqual(['127.0.0.1:8038:8038']);
    expect(healthcheckText('api')).toContain('http://127.0.0.1:8038/readyz');
  });

  it('runs three worker replicas, with no published port or container name for replicas to collide on', () => {
    const worker = service('worker');
    expect(worker.replicas).toBe(3);
    expect(worker.ports).toEqual([]);
    expect(worker.containerName).toBeUndefined();
    expect(healthcheckText('worker')).toContain(`http://127.0.0.1:${loadConfig(worker.environment).metricsPort}/livez`);
  });

  it("lets a stopping worker flush its groups: Docker's SIGKILL comes after the worker's own grace period, which outlasts a group's wait plus a commit", () => {
    const worker = loadConfig(service('worker').environment);
    expect(durationMs(service('worker').stopGracePeriod ?? '10s')).toBeGreaterThan(worker.shutdownGraceMs);
    expect(worker.shutdownGraceMs).toBeGreaterThan(worker.batch.timeoutMs + COMMIT_ALLOWANCE_MS);
  });

  it('lets a stopping api finish its requests within its own grace period before Docker kills it', () => {
    const api = loadConfig(service('api').environment);
    expect(durationMs(service('api').stopGracePeriod ?? '10s')).toBeGreaterThan(api.shutdownGraceMs);
  });

  it('runs every Node.js process under an init that forwards signals and reaps children', () => {
    for (const [name, sluice] of sluiceServices(compose)) expect(sluice.init, name).toBe(true);
  });

  it('mounts deploy/prometheus.yml into Prometheus, and Grafana provisioning and dashboards where the provider reads them', () => {
    expect(service('prometheus').volumes).toContain('./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    const provider = parse(readFileSync(repoPath(DEPLOY_FILES.grafanaDashboardsProvider), 'utf8')) as {
      providers: ReadonlyArray<{ options: { path: string } }>;
    };
    const dashboardsPath = provider.providers[0]?.options.path;
    expect(service('grafana').volumes).toEqual(
      expect.arrayContaining([
        './deploy/grafana/provisioning:/etc/grafana/provisioning:ro',
        `./deploy/grafana/dashboards:${dashboardsPath}:ro`,
      ]),
    );
  });

  it('opens Grafana on port 3000 to anonymous viewers, on the Sluice dashboard', () => {
    const grafana = service('grafana');
    expect(grafana.ports).toEqual(['127.0.0.1:3000:3000']);
    expect(grafana.environment).toMatchObject({
      GF_AUTH_ANONYMOUS_ENABLED: 'true',
      GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
    });
    const home = grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
    expect(home).toMatch(/\/sluice\.json$/);
    expect(existsSync(repoPath('deploy/grafana/dashboards', 'sluice.json'))).toBe(true);
  });

  it('publishes ports on the loopback interface only', () => {
    const published = Object.values(compose.services).flatMap((each) => each.ports);
    expect(published.length).toBeGreaterThan(0);
    for (const port of published) expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it('mounts files that exist and named volumes it declares', () => {
    for (const [name, each] of Object.entries(compose.services)) {
      for (const volume of each.volumes) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('./')) expect(existsSync(repoPath(source)), `${name}: ${source}`).toBe(true);
        else expect(compose.volumes, `${name}: ${source}`).toContain(source);
      }
    }
  });
});
