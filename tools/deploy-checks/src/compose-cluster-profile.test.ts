import { readFile } from 'node:fs/promises';
import { loadConfig } from '@sluice/config';
import { describe, expect, it } from 'vitest';
import { argumentAfter, enabledServices, readComposeFile, type ComposeFile } from './compose-file.js';
import { DEPLOY_FILES, readCompose, repoPath, serviceNamed, sluiceServices } from './deployment.js';

const compose = await readCompose();
const composeText = await readFile(repoPath(DEPLOY_FILES.compose), 'utf8');

const PRIMARIES = ['redis-cluster-1', 'redis-cluster-2', 'redis-cluster-3'];
const CREATE = 'redis-cluster-create';
/** The port a node listens on: the image's default, as no node sets --port. */
const NODE_PORT = 6379;

/** The variables of the command line the profile's comment tells a user to run. */
const documentedVariables = (): Readonly<Record<string, string>> => {
  const line = /^\s*#\s+((?:[A-Z_]+=\S+\s+)+)docker compose --profile cluster up\s*$/m.exec(composeText)?.[1];
  if (line === undefined) throw new Error(`${DEPLOY_FILES.compose} shows no "… docker compose --profile cluster up"`);
  return Object.fromEntries(
    line
      .trim()
      .split(/\s+/)
      .map((assignment) => [
        assignment.slice(0, assignment.indexOf('=')),
        assignment.slice(assignment.indexOf('=') + 1),
      ]),
  );
};

/** Services some enabled service requires (`required` not false) that the active profiles leave out. */
const missingDependencies = (file: ComposeFile, profiles: ReadonlyArray<string>): ReadonlyArray<string> => {
  const enabled = enabledServices(file, profiles);
  return Object.entries(enabled).flatMap(([name, service]) =>
    Object.entries(service.dependsOn)
      .filter(([dependency, { required }]) => required && !(dependency in enabled))
      .map(([dependency]) => `${name} → ${dependency}`),
  );
};

describe('the cluster profile of docker-compose.yml', () => {
  it('adds three Redis Cluster primaries and the one shot that joins them, and only with --profile cluster', () => {
    const plain = Object.keys(enabledServices(compose, []));
    const clustered = Object.keys(enabledServices(compose, ['cluster']));
    expect(clustered.filter((name) => !plain.includes(name)).sort()).toEqual([...PRIMARIES, CREATE].sort());
    for (const name of [...PRIMARIES, CREATE]) expect(serviceNamed(compose, name).profiles, name).toEqual(['cluster']);
  });

  it('leaves no service waiting for one the active profiles leave out, with or without the profile', () => {
    expect(missingDependencies(compose, [])).toEqual([]);
    expect(missingDependencies(compose, ['cluster'])).toEqual([]);
  });

  it('runs each primary like the single Redis: its image, AOF with an fsync every second, noeviction, its memory cap, a healthcheck, a volume of its own', () => {
    const single = serviceNamed(compose, 'redis');
    const volumes = new Set<string>();
    for (const name of PRIMARIES) {
      const node = serviceNamed(compose, name);
      expect(node.image, name).toBe(single.image);
      expect(argumentAfter(node.command, '--cluster-enabled'), name).toBe('yes');
      expect(argumentAfter(node.command, '--appendonly'), name).toBe('yes');
      expect(argumentAfter(node.command, '--appendfsync'), name).toBe('everysec');
      expect(argumentAfter(node.command, '--maxmemory-policy'), name).toBe('noeviction');
      expect(argumentAfter(node.command, '--maxmemory'), name).toBe(argumentAfter(single.command, '--maxmemory'));
      expect(argumentAfter(node.command, '--port'), name).toBeUndefined();
      expect(node.healthcheck?.test, name).toEqual(['CMD', 'redis-cli', 'ping']);
      // nodes.conf, the node's memory of the cluster, must outlive the container beside the AOF.
      expect(argumentAfter(node.command, '--cluster-config-file'), name).toBe('nodes.conf');
      expect(node.volumes, name).toEqual([`${name}-data:/data`]);
      volumes.add(node.volumes[0] ?? '');
      expect(node.restart, name).toBe('unless-stopped');
    }
    expect(volumes.size).toBe(PRIMARIES.length);
  });

  it('has each primary announce its service name, which every container resolves, as the address clients are sent to', () => {
    for (const name of PRIMARIES) {
      const { command } = serviceNamed(compose, name);
      expect(argumentAfter(command, '--cluster-announce-hostname'), name).toBe(name);
      expect(argumentAfter(command, '--cluster-preferred-endpoint-type'), name).toBe('hostname');
    }
  });

  it('joins every primary, without replicas, once all of them are healthy, and runs once per up', () => {
    const create = serviceNamed(compose, CREATE);
    expect(create.dependsOn).toEqual(
      Object.fromEntries(PRIMARIES.map((name) => [name, { condition: 'service_healthy', required: true }])),
    );
    expect(create.environment.CLUSTER_NODES?.split(' ')).toEqual(PRIMARIES.map((name) => `${name}:${NODE_PORT}`));
    expect(create.restart).toBe('no');
    const script = typeof create.command === 'string' ? create.command : (create.command ?? []).join(' ');
    expect(script).toMatch(/redis-cli --cluster create \$addresses --cluster-replicas 0 --cluster-yes/);
  });

  it('creates the cluster only when every node is empty, so a second up does not try again', () => {
    const script = (serviceNamed(compose, CREATE).command ?? []).at(-1) ?? '';
    const create = script.indexOf('--cluster create');
    const guard = script.lastIndexOf('if [ "$blank" = "$total" ]', create);
    expect(guard).toBeGreaterThan(-1);
    expect(script.slice(guard, create)).not.toMatch(/\bfi\b/);
  });

  it('starts the api and the workers only once the cluster is ok, when the profile is on', () => {
    for (const name of ['api', 'worker']) {
      expect(serviceNamed(compose, name).dependsOn[CREATE], name).toEqual({
        condition: 'service_completed_successfully',
        required: false,
      });
    }
  });

  it('leaves every Sluice process on REDIS_URL with one queue when the variables are not set', () => {
    for (const [name, service] of sluiceServices(compose)) {
      const config = loadConfig(service.environment);
      expect(config.redisClusterNodes, name).toBeUndefined();
      expect(config.shards.count, name).toBe(1);
    }
  });

  it('documents a command line that points every Sluice process at all three primaries', async () => {
    const variables = documentedVariables();
    const file = await readComposeFile(repoPath(DEPLOY_FILES.compose), variables);
    for (const [name, service] of sluiceServices(file)) {
      const config = loadConfig(service.environment);
      expect(config.redisClusterNodes, name).toEqual(PRIMARIES.map((host) => ({ host, port: NODE_PORT })));
      expect(config.shards.count, name).toBe(Number(variables.QUEUE_SHARDS));
      // An even spread: each primary gets as many shards as the next.
      expect(config.shards.count % PRIMARIES.length, name).toBe(0);
    }
  });
});
