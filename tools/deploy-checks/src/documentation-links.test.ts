import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readDocumentation } from './documentation.js';
import { brokenLinks } from './markdown-links.js';
import { repoPath } from './repo-root.js';

const documentation = await readDocumentation();

describe("the README, CONTRIBUTING.md, docs/ and the examples' READMEs", () => {
  it('hold the pages the README links to', () => {
    expect([...documentation.keys()]).toEqual(
      expect.arrayContaining(['README.md', 'docs/api.md', 'docs/production.md', 'examples/page-views/README.md']),
    );
  });

  it('link only to files that exist and to anchors that a heading of the target page has', () => {
    const broken = brokenLinks(documentation, {
      exists: (path) => existsSync(repoPath(path)),
      readMarkdown: (path) => (existsSync(repoPath(path)) ? readFileSync(repoPath(path), 'utf8') : undefined),
    });
    expect(broken.map(({ document, line, target, reason }) => `${document}:${line} ${target}: ${reason}`)).toEqual([]);
  });
});
