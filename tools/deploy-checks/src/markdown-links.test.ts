import { describe, expect, it } from 'vitest';
import { brokenLinks, headingAnchors, headingSlug, type LinkTargets, markdownLinks } from './markdown-links.js';

describe('markdownLinks', () => {
  it('reads links, images and reference definitions with their line, without titles or angle brackets', () => {
    const markdown = [
      'See [the API](docs/api.md#api) and ![a picture](docs/dashboard.png "The dashboard").',
      '[Running in',
      'production](<production.md#running-in-production>)',
      '[ref]: ../CONTRIBUTING.md',
    ].join('\n');
    expect(markdownLinks(markdown)).toEqual([
      { target: 'docs/api.md#api', line: 1 },
      { target: 'docs/dashboard.png', line: 1 },
      { target: 'production.md#running-in-production', line: 2 },
      { target: '../CONTRIBUTING.md', line: 4 },
    ]);
  });

  it('ignores links in fenced code blocks and inline code, but keeps a link whose text is code', () => {
    const markdown = [
      '```md',
      '[not a link](nowhere.md)',
      '```',
      '  ~~~',
      '  [nor this](nowhere.md)',
      '  ~~~',
      'Write `[x](nowhere.md)` to link; [`@sluice/batching`](packages/batching) is one.',
    ].join('\n');
    expect(markdownLinks(markdown)).toEqual([{ target: 'packages/batching', line: 7 }]);
  });
});

describe('headingSlug', () => {
  it("follows GitHub's rule: lower case, only letters, digits, spaces, hyphens and underscores, spaces to hyphens", () => {
    expect(headingSlug('Delivery semantics: nothing lost, nothing doubled')).toBe(
      'delivery-semantics-nothing-lost-nothing-doubled',
    );
    expect(headingSlug('`POST /api/tasks` — submit one task')).toBe('post-apitasks--submit-one-task');
    expect(headingSlug('Scaling, measured')).toBe('scaling-measured');
    expect(headingSlug('The [compose](x.md) stack of `QUEUE_NAME`')).toBe('the-compose-stack-of-queue_name');
  });
});

describe('headingAnchors', () => {
  it('numbers repeated headings -1, -2 and skips lines in fenced code that look like headings', () => {
    const markdown = ['# Setup', '```sh', '# not a heading', '```', '## Setup', '### Setup ###', '#hashtag'].join('\n');
    expect(headingAnchors(markdown)).toEqual(['setup', 'setup-1', 'setup-2']);
  });
});

describe('brokenLinks', () => {
  const files: Readonly<Record<string, string>> = {
    'README.md': '# Sluice\n## Try it\n',
    'docs/api.md': '# API\n## `GET /api/tasks/:id` — one task\n',
    'docs/dashboard.png': '',
    'tools/bench/README.md': '# Bench\n',
  };
  const targets: LinkTargets = {
    exists: (path) => path in files || path === 'docs',
    readMarkdown: (path) => files[path],
  };
  const check = (document: string, markdown: string) => brokenLinks(new Map([[document, markdown]]), targets);

  it('accepts files, images, folders, anchors on the same page and on other pages, and skips external links', () => {
    const markdown = [
      '# API',
      '[back](../README.md#try-it) [one](#get-apitasksid--one-task) [top](#api)',
      '![dashboard](dashboard.png) [bench](../tools/bench/README.md#bench) [all](../docs)',
      '[rfc](https://www.rfc-editor.org/rfc/rfc9457#section-3) [mail](mailto:a@example.com)',
      '## `GET /api/tasks/:id` — one task',
    ].join('\n');
    expect(check('docs/api.md', markdown)).toEqual([]);
  });

  it('reports a missing file, a missing image, a path out of the repository and an anchor no heading has', () => {
    const markdown = [
      '# Sluice',
      '[config](docs/configuration.md) ![gone](docs/gone.png)',
      '[api](docs/api.md#get-apitasksid) [here](#try-it) [out](../elsewhere.md)',
    ].join('\n');
    expect(check('README.md', markdown)).toEqual([
      {
        document: 'README.md',
        line: 2,
        target: 'docs/configuration.md',
        path: 'docs/configuration.md',
        reason: 'docs/configuration.md does not exist',
      },
      {
        document: 'README.md',
        line: 2,
        target: 'docs/gone.png',
        path: 'docs/gone.png',
        reason: 'docs/gone.png does not exist',
      },
      {
        document: 'README.md',
        line: 3,
        target: 'docs/api.md#get-apitasksid',
        path: 'docs/api.md',
        reason: 'docs/api.md has no heading #get-apitasksid',
      },
      {
        document: 'README.md',
        line: 3,
        target: '#try-it',
        path: 'README.md',
        reason: 'README.md has no heading #try-it',
      },
      {
        document: 'README.md',
        line: 3,
        target: '../elsewhere.md',
        path: '../elsewhere.md',
        reason: '../elsewhere.md does not exist',
      },
    ]);
  });

  it('reads the headings of a page being checked from its own text, not from the disk', () => {
    const documents = new Map([
      ['README.md', '# Sluice\n[ops](docs/operations.md#metrics)\n'],
      ['docs/operations.md', '# Operations\n## Metrics\n'],
    ]);
    expect(brokenLinks(documents, { ...targets, exists: (path) => path in files || documents.has(path) })).toEqual([]);
  });
});
