import type { WorkspaceLocation } from './module-graph.js';

/**
 * The workspaces deploy/Dockerfile's runtime stage holds: the three entry points' workspaces and
 * every workspace they import. Their manifests and dist/ are all the image has of the repository.
 */
export const RUNTIME_WORKSPACES: ReadonlyArray<WorkspaceLocation> = [
  { name: '@sluice/api', dir: 'apps/api' },
  { name: '@sluice/worker', dir: 'apps/worker' },
  { name: '@sluice/batching', dir: 'packages/batching' },
  { name: '@sluice/config', dir: 'packages/config' },
  { name: '@sluice/store', dir: 'packages/store' },
  { name: '@sluice/tasks', dir: 'packages/tasks' },
  { name: '@sluice/telemetry', dir: 'packages/telemetry' },
];

/** What the image runs, relative to /app: the api (its CMD), a worker, the migrations. */
export const ENTRY_POINTS: ReadonlyArray<string> = [
  'apps/api/dist/main.js',
  'apps/worker/dist/main.js',
  'packages/store/dist/bin/migrate.js',
];
