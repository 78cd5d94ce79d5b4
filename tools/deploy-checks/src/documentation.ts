import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { repoPath } from './repo-root.js';

/**
 * The pages a reader finds from the README: the README, CONTRIBUTING.md once it exists, docs/*.md,
 * and the README of each example under examples/ (a project a user copies, so its links must hold
 * as much as the docs').
 */
export const documentationPaths = async (): Promise<ReadonlyArray<string>> => {
  const docs = (await readdir(repoPath('docs'))).filter((name) => name.endsWith('.md')).sort();
  const examples = existsSync(repoPath('examples'))
    ? (await readdir(repoPath('examples'), { withFileTypes: true }))
        .filter((entry) => entry.isDirectory() && existsSync(repoPath('examples', entry.name, 'README.md')))
        .map((entry) => `examples/${entry.name}/README.md`)
        .sort()
    : [];
  return [
    'README.md',
    ...(existsSync(repoPath('CONTRIBUTING.md')) ? ['CONTRIBUTING.md'] : []),
    ...docs.map((name) => `docs/${name}`),
    ...examples,
  ];
};

/**
 * Every documentation page, path (relative to the repository root) → Markdown.
 *
 * @example
 * (await readDocumentation()).get('docs/production.md'); // '# Running Sluice in production\n…'
 */
export const readDocumentation = async (): Promise<ReadonlyMap<string, string>> =>
  new Map(
    await Promise.all(
      (await documentationPaths()).map(async (path) => [path, await readFile(repoPath(path), 'utf8')] as const),
    ),
  );
