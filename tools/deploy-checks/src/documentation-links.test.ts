import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readDocumentation } from './documentation.js';
import { brokenLinks } from './markdown-links.js';
import { repoPath } from './repo-root.js';

/**
 * Files another change is writing while the README already links to them: a link to one passes
 * while the file is missing, and is checked like any other (anchors included) once it exists.
 * Drop an entry when its file has landed.
 */
const AWAITED: ReadonlyArray<string> = ['CONTRIBUTING.md'];

const documentation = await readDocumentation();

describe('the README, CONTRIBUTING.md and docs/', () => {
  it('hold the pages the README links to', () => {
    expect([...documentation.keys()]).toEqual(
      expect.arrayContaining(['README.md', 'docs/api.md', 'docs/production.md']),
    );
  });

  it('link only to files that exist and to anchors that a heading of the target page has', () => {
    const broken = brokenLinks(documentation, {
      exists: (path) => existsSync(repoPath(path)),
      readMarkdown: (path) => (existsSync(repoPath(path)) ? readFileSync(repoPath(path), 'utf8') : undefined),
    }).filter(({ path }) => !(AWAITED.includes(path) && !existsSync(repoPath(path))));
    expect(broken.map(({ document, line, target, reason }) => `${document}:${line} ${target}: ${reason}`)).toEqual([]);
  });
});
