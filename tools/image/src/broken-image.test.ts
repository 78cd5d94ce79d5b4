import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBuilder } from './builder.js';
import { auditBuiltImage } from './image-check.js';
import { runCommand } from './run-command.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = join(REPO_ROOT, 'tools/image/dist/main.js');

// The spec builds images, so it needs what `npm run image` needs: a Docker daemon, or podman as
// root. CI installs podman and runs as root; elsewhere it says why it is skipped.
const builder = await chooseBuilder('auto').catch((error: Error) => error);
if (builder instanceof Error) console.warn(`broken-image spec skipped: ${builder.message}`);

/** `npm run image` as a user runs it: the built CLI, from the repository. */
const image = (args: ReadonlyArray<string>) => runCommand(process.execPath, [MAIN, ...args], { cwd: REPO_ROOT });

/**
 * Builds deploy/Dockerfile, edited, from a folder of its own (the build context stays the
 * repository) and checks it with `npm run image -- --check`.
 */
const checkEdited = async (dir: string, tag: string, edit: (text: string) => string) => {
  const original = await readFile(join(REPO_ROOT, 'deploy/Dockerfile'), 'utf8');
  const edited = edit(original);
  expect(edited, 'the edit changed the Dockerfile').not.toBe(original);
  const dockerfile = join(dir, `Dockerfile.${tag.split(':').at(-1)}`);
  await writeFile(dockerfile, edited);
  return image(['--dockerfile', dockerfile, '--tag', tag, '--check']);
};

describe.skipIf(builder instanceof Error)('npm run image -- --check on a deliberately broken Dockerfile', () => {
  let dir = '';
  const tags: string[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-broken-image-'));
    // The real image first: the broken ones share its layers up to their edit, so they build in
    // seconds, and the spec can show that the check passes what it should.
    const built = await image(['--tag', 'localhost/sluice:spec']);
    expect(built.code, built.output).toBe(0);
    tags.push('localhost/sluice:spec');
  });
  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
    if (builder instanceof Error) return;
    for (const tag of tags) await runCommand(builder, ['rmi', '--force', tag]);
  });

  it("passes deploy/Dockerfile's own image", async () => {
    if (builder instanceof Error) return;
    expect((await auditBuiltImage(builder, 'localhost/sluice:spec', () => undefined)).problems).toEqual([]);
  });

  it('fails, before starting anything, an image whose processes would run as root', async () => {
    tags.push('localhost/sluice:broken-root');
    const { code, output } = await checkEdited(dir, 'localhost/sluice:broken-root', (text) =>
      text.replace(/^USER node$/m, 'USER root'),
    );
    expect(code, output).toBe(1);
    expect(output).toContain('image check FAILED for localhost/sluice:broken-root (nothing was started)');
    expect(output).toContain('✗ the image runs as root (USER root is uid 0)');
  });

  it('fails, naming it, an image that holds a dev dependency', async () => {
    tags.push('localhost/sluice:broken-dev');
    // The slip a runtime stage invites: one more thing copied from the build stage, whose
    // node_modules has every dev dependency.
    const { code, output } = await checkEdited(dir, 'localhost/sluice:broken-dev', (text) =>
      text.replace(/^USER node$/m, 'COPY --from=build /app/node_modules/vitest node_modules/vitest\nUSER node'),
    );
    expect(code, output).toBe(1);
    expect(output).toContain('image check FAILED for localhost/sluice:broken-dev (nothing was started)');
    expect(output).toMatch(/✗ the image holds a dev dependency: vitest \(node_modules\/vitest, [\d.]+ MB\)/);
    expect(output).not.toContain('runs as root');
  });
});
