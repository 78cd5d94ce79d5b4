import { readFile } from 'node:fs/promises';
import { readComposeFile, type ComposeFile, type ComposeService } from './compose-file.js';
import { parseDockerfile, type Dockerfile } from './dockerfile.js';
import { parseDockerignore, type IgnoreRule } from './dockerignore.js';
import { REPO_ROOT, repoPath } from './repo-root.js';

/** The files these checks hold against the code, relative to the repository root. */
export const DEPLOY_FILES = {
  compose: 'docker-compose.yml',
  dockerfile: 'deploy/Dockerfile',
  dockerignore: '.dockerignore',
  prometheus: 'deploy/prometheus.yml',
  grafanaDashboardsProvider: 'deploy/grafana/provisioning/dashboards/sluice.yml',
} as const;

/** The workspaces whose entry points the image runs: the api, a worker, the migrations. */
export const ENTRY_WORKSPACES: ReadonlyArray<string> = ['@sluice/api', '@sluice/worker', '@sluice/store'];

/**
 * The compose file as a bare `docker compose up` reads it: no `.env`, no variables from the shell,
 * so every `${VAR:-default}` takes its default.
 */
export const readCompose = (): Promise<ComposeFile> => readComposeFile(repoPath(DEPLOY_FILES.compose), {});

export const readDockerfile = async (): Promise<Dockerfile> =>
  parseDockerfile(await readFile(repoPath(DEPLOY_FILES.dockerfile), 'utf8'));

export const readDockerignore = async (): Promise<ReadonlyArray<IgnoreRule>> =>
  parseDockerignore(await readFile(repoPath(DEPLOY_FILES.dockerignore), 'utf8'));

/** The service called `name`, or an error that names it. */
export const serviceNamed = (compose: ComposeFile, name: string): ComposeService => {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`${DEPLOY_FILES.compose} has no service "${name}"`);
  return found;
};

/** Services that run the Sluice image: built from deploy/Dockerfile with the repository as context. */
export const sluiceServices = (compose: ComposeFile): ReadonlyArray<readonly [string, ComposeService]> =>
  Object.entries(compose.services).filter(
    ([, service]) => service.build?.dockerfile === DEPLOY_FILES.dockerfile && service.build.context === '.',
  );

export { REPO_ROOT, repoPath };
