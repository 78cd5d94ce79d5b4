import { existsSync, readFileSync } from 'node:fs';
import { API_NODE_OPTIONS, WORKER_NODE_OPTIONS } from '@sluice/config';
import { describe, expect, it } from 'vitest';
import { copiesOf, type DockerStage } from './dockerfile.js';
import {
  ENTRY_WORKSPACES,
  readCompose,
  readDockerfile,
  readDockerignore,
  repoPath,
  REPO_ROOT,
  sluiceServices,
} from './deployment.js';
import { isIgnored } from './dockerignore.js';
import { readWorkspaces, runtimeClosure } from './workspaces.js';

const dockerfile = await readDockerfile();
const ignore = await readDockerignore();
const compose = await readCompose();
const workspaces = await readWorkspaces(REPO_ROOT);
const runtimeWorkspaces = runtimeClosure(workspaces, ENTRY_WORKSPACES);

const stage = (name: string): DockerStage => {
  const found = dockerfile.stages.find((each) => each.name === name);
  if (found === undefined) throw new Error(`deploy/Dockerfile has no stage "${name}"`);
  return found;
};
const runtime = dockerfile.stages.at(-1);
const runs = (each: DockerStage): ReadonlyArray<string> =>
  each.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args.join(' '));
/** The shell commands of a stage's RUN steps, each `a && b` as two. */
const commands = (each: DockerStage): ReadonlyArray<string> => runs(each).flatMap((run) => run.split(/\s*&&\s*/));
/** The `--mount=` values of a stage's RUN steps that run `npm ci`, one list per step. */
const npmCiMounts = (each: DockerStage): ReadonlyArray<ReadonlyArray<string>> =>
  each.instructions.filter((i) => i.keyword === 'RUN' && i.args.join(' ').includes('npm ci')).map((i) => i.mounts);
/** Files a stage copies from the build context (not from another stage). */
const contextSources = (each: DockerStage): ReadonlyArray<string> =>
  copiesOf(each).flatMap((copy) => (copy.from === undefined ? copy.sources : []));

/**
 * Node.js LTS lines and the end of their support, from the release schedule
 * (https://github.com/nodejs/release#release-schedule). 24 was active LTS from 2025-10-28 and is
 * in maintenance from 2026-10-20; 26 takes over as active LTS from 2026-10-28.
 */
const NODE_LTS_END_OF_LIFE: Readonly<Record<number, string>> = {
  22: '2027-04-30',
  24: '2028-04-30',
  26: '2029-04-30',
};

describe('deploy/Dockerfile', () => {
  it('builds every stage on the slim image of a Node.js LTS line that is still supported', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    const images = new Set(dockerfile.stages.map((each) => each.image));
    expect([...images]).toEqual(['node:24-slim']);
    const major = Number(/^node:(\d+)/.exec([...images][0] ?? '')?.[1]);
    const endOfLife = NODE_LTS_END_OF_LIFE[major];
    expect(endOfLife, `node ${major} is not an LTS line`).toBeDefined();
    expect(new Date(`${endOfLife}T00:00:00Z`).getTime()).toBeGreaterThan(Date.now());
  });

  it('copies only files that exist and that .dockerignore lets into the build context', () => {
    for (const each of dockerfile.stages) {
      for (const source of contextSources(each)) {
        expect(existsSync(repoPath(source)), `${source} exists`).toBe(true);
        expect(isIgnored(source, ignore), `${source} is in the build context`).toBe(false);
      }
    }
  });

  it('keeps local node_modules, dist/, git history and data out of the build context', () => {
    for (const path of ['node_modules', 'apps/api/node_modules', 'apps/api/dist/main.js', '.git', '.sluice', '.env']) {
      expect(isIgnored(path, ignore), path).toBe(true);
    }
  });

  it("keeps the examples' sources out of the build context: the image needs only their manifests", () => {
    const examples = workspaces.filter((workspace) => workspace.dir.startsWith('examples/'));
    expect(examples.length).toBeGreaterThan(0);
    for (const { dir } of examples) {
      for (const path of [`${dir}/src/tasks.ts`, `${dir}/README.md`, `${dir}/migrations`]) {
        expect(isIgnored(path, ignore), path).toBe(true);
      }
      expect(isIgnored(`${dir}/package.json`, ignore), `${dir}/package.json`).toBe(false);
    }
  });

  it('gives npm ci every workspace manifest next to the lockfile, as the lockfile lists them', () => {
    const manifests = contextSources(stage('manifests'));
    expect([...manifests].sort()).toEqual(
      ['package.json', 'package-lock.json', ...workspaces.map((workspace) => `${workspace.dir}/package.json`)].sort(),
    );
    expect(commands(stage('build'))).toContainEqual(expect.stringMatching(/^npm ci\b/));
  });

  it('builds the workspaces of the three entry points with turbo', () => {
    const build = runs(stage('build')).find((command) => command.includes('turbo run build')) ?? '';
    for (const name of ENTRY_WORKSPACES) expect(build).toContain(`--filter=${name}`);
  });

  it('installs production dependencies for exactly the workspaces the entry points load, so the test kit stays out', () => {
    expect(runtimeWorkspaces.map((workspace) => workspace.name)).not.toContain('@sluice/testkit');
    if (runtime === undefined) throw new Error('no runtime stage');
    const manifests = contextSources(runtime).filter((source) => source.endsWith('package.json'));
    expect([...manifests].sort()).toEqual(
      ['package.json', ...runtimeWorkspaces.map((workspace) => `${workspace.dir}/package.json`)].sort(),
    );
    expect(contextSources(runtime)).toContain('package-lock.json');
    expect(commands(runtime)).toContainEqual(expect.stringMatching(/^npm ci --omit=dev\b/));
    const compiled = copiesOf(runtime).filter((copy) => copy.from === 'build');
    expect(compiled.map((copy) => copy.destination).sort()).toEqual(
      runtimeWorkspaces.map((workspace) => `${workspace.dir}/dist`).sort(),
    );
  });

  it('lets every npm ci trust extra certificate authorities given as the optional build secret npm_ca, kept out of the layers', () => {
    if (runtime === undefined) throw new Error('no runtime stage');
    for (const each of [stage('build'), runtime]) {
      const mounts = npmCiMounts(each);
      expect(mounts.length, each.name).toBe(1);
      expect(mounts[0]).toEqual(['type=cache,target=/root/.npm', 'type=secret,id=npm_ca']);
      expect(commands(each)).toContain(
        'if [ -s /run/secrets/npm_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca; fi',
      );
    }
  });

  it('prunes the compiled workspaces to the modules the entry points import, and drops TypeScript from the runtime', () => {
    if (runtime === undefined) throw new Error('no runtime stage');
    expect(commands(stage('build'))).toContain('node tools/image/dist/bin/prune-dist.js');
    expect(runs(stage('build')).find((command) => command.includes('turbo run build'))).toContain(
      '--filter=@sluice/image',
    );
    expect(commands(runtime)).toContainEqual(expect.stringMatching(/^rm -rf node_modules\/typescript\b/));
  });

  it("runs node with the heap settings every launcher in the repository gives the api, and the worker service with the worker's", () => {
    const settings = (runtime?.instructions ?? []).filter((i) => i.keyword === 'ENV').flatMap((i) => i.args);
    expect(settings).toContain(`NODE_OPTIONS=${API_NODE_OPTIONS}`);
    const byService = new Map(sluiceServices(compose));
    expect(byService.get('worker')?.environment.NODE_OPTIONS).toBe(WORKER_NODE_OPTIONS);
    expect(byService.get('api')?.environment.NODE_OPTIONS).toBeUndefined();
  });

  it('runs as the unprivileged node user, node itself as the command, with no npm in the process tree', () => {
    if (runtime === undefined) throw new Error('no runtime stage');
    const keywords = runtime.instructions.map((i) => i.keyword);
    expect(keywords.lastIndexOf('USER')).toBeGreaterThan(keywords.lastIndexOf('RUN'));
    expect(runtime.instructions.find((i) => i.keyword === 'USER')?.args).toEqual(['node']);
    expect(keywords).not.toContain('ENTRYPOINT');
    const cmd = runtime.instructions.find((i) => i.keyword === 'CMD');
    expect(cmd).toMatchObject({ execForm: true, args: ['node', 'apps/api/dist/main.js'] });
  });

  it('starts, in the image and in every compose service, entry points that the build writes and the image holds', () => {
    if (runtime === undefined) throw new Error('no runtime stage');
    const cmd = runtime.instructions.find((i) => i.keyword === 'CMD')?.args ?? [];
    const commands = [cmd, ...sluiceServices(compose).map(([, service]) => service.command)];
    const copied = copiesOf(runtime).map((copy) => copy.destination);
    for (const command of commands) {
      expect(typeof command, `exec form: ${JSON.stringify(command)}`).toBe('object');
      const [program, script = ''] = typeof command === 'string' ? [] : (command ?? []);
      expect(program).toBe('node');
      expect(existsSync(repoPath(script)), `${script} after npm run build`).toBe(true);
      expect(
        copied.some((destination) => script.startsWith(`${destination}/`)),
        `${script} is in the image`,
      ).toBe(true);
    }
  });

  it('serves the dashboard page the api reads from apps/api/public', () => {
    if (runtime === undefined) throw new Error('no runtime stage');
    expect(contextSources(runtime)).toContain('apps/api/public');
    expect(readFileSync(repoPath('apps/api/public/index.html'), 'utf8')).toMatch(/<html/i);
  });
});
