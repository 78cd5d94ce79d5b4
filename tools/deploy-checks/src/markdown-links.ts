import { posix } from 'node:path';

/** A link or image in a Markdown document: its target as written, and the 1-based line it starts on. */
export interface MarkdownLink {
  readonly target: string;
  readonly line: number;
}

/** A relative link whose file is missing, or whose `#anchor` names no heading of its page. */
export interface BrokenLink {
  /** The document the link is in, relative to the repository root. */
  readonly document: string;
  readonly line: number;
  readonly target: string;
  /** The file the target resolves to, relative to the repository root. */
  readonly path: string;
  readonly reason: string;
}

/** What `brokenLinks` may ask of the repository; paths are relative to its root, slash-separated. */
export interface LinkTargets {
  readonly exists: (path: string) => boolean;
  /** The text of a Markdown file, or undefined when there is none. */
  readonly readMarkdown: (path: string) => string | undefined;
}

const FENCE = /^\s*(`{3,}|~{3,})/;

/** The text with every fenced code block blanked, line breaks kept, so line numbers still hold. */
const withoutFences = (markdown: string): string => {
  let fence: string | undefined;
  return markdown
    .split('\n')
    .map((line) => {
      const opening = FENCE.exec(line)?.[1];
      if (fence === undefined) {
        if (opening === undefined) return line;
        fence = opening;
        return '';
      }
      // A fence closes on a line of at least as many of the same character, and nothing else.
      if (
        opening !== undefined &&
        opening[0] === fence[0] &&
        opening.length >= fence.length &&
        line.trim() === opening
      ) {
        fence = undefined;
      }
      return '';
    })
    .join('\n');
};

/** The text with fenced blocks and inline code spans blanked to spaces, so links in code are not read. */
const withoutCode = (markdown: string): string =>
  withoutFences(markdown).replace(/(`+)[\s\S]*?\1/g, (span) => span.replace(/[^\n]/g, ' '));

/**
 * Every inline link and image (`[text](target)`, `![alt](target)`) and every reference definition
 * (`[name]: target`) outside code, in order. A title after the target is dropped; `<target>` is unwrapped.
 *
 * @example
 * markdownLinks('See [the API](docs/api.md#api).'); // [{ target: 'docs/api.md#api', line: 1 }]
 */
export const markdownLinks = (markdown: string): ReadonlyArray<MarkdownLink> => {
  const text = withoutCode(markdown);
  const lineAt = (index: number): number => text.slice(0, index).split('\n').length;
  const inline = [...text.matchAll(/\[[^\]]*\]\(\s*(<[^>\n]*>|[^)\s]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)];
  const definitions = [...text.matchAll(/^ {0,3}\[[^\]\n]+\]:\s*(<[^>\n]*>|\S+)/gm)];
  return [...inline, ...definitions]
    .map((match) => ({ target: (match[1] ?? '').replace(/^<(.*)>$/, '$1'), line: lineAt(match.index) }))
    .sort((a, b) => a.line - b.line);
};

/**
 * The anchor GitHub gives a heading: its text as rendered (links reduced to their text, code and
 * emphasis marks dropped), lower-cased, with everything but letters, digits, spaces, hyphens and
 * underscores removed and each space turned into a hyphen.
 *
 * @example
 * headingSlug('`POST /api/tasks` — submit one task'); // 'post-apitasks--submit-one-task'
 */
export const headingSlug = (heading: string): string =>
  heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');

/**
 * The anchors of every ATX heading (`#` to `######`) outside code, in order; a slug seen before
 * gets `-1`, `-2`, … as on GitHub.
 *
 * @example
 * headingAnchors('# Setup\n## Setup'); // ['setup', 'setup-1']
 */
export const headingAnchors = (markdown: string): ReadonlyArray<string> => {
  const seen = new Set<string>();
  return withoutFences(markdown)
    .split('\n')
    .flatMap((line) => {
      const text = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(line);
      if (text === null) return [];
      const base = headingSlug(text[1] ?? '');
      let anchor = base;
      for (let n = 1; seen.has(anchor); n += 1) anchor = `${base}-${n}`;
      seen.add(anchor);
      return [anchor];
    });
};

/** True for a target with a scheme (`https:`, `mailto:`) or a protocol-relative one: not checked here. */
const isExternal = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');

/**
 * The relative links of `documents` (path → Markdown) whose file does not exist, or whose `#anchor`
 * — on the same page or on another `.md` page — matches none of that page's headings. External
 * links are skipped. A link that leaves the repository counts as missing.
 *
 * @example
 * brokenLinks(new Map([['README.md', '[x](#nope)']]), targets);
 * // [{ document: 'README.md', line: 1, target: '#nope', path: 'README.md', reason: 'README.md has no heading #nope' }]
 */
export const brokenLinks = (documents: ReadonlyMap<string, string>, targets: LinkTargets): ReadonlyArray<BrokenLink> =>
  [...documents].flatMap(([document, markdown]) =>
    markdownLinks(markdown).flatMap(({ target, line }): ReadonlyArray<BrokenLink> => {
      if (isExternal(target)) return [];
      const hash = target.indexOf('#');
      const pathPart = hash === -1 ? target : target.slice(0, hash);
      const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
      const path =
        pathPart === ''
          ? document
          : posix.normalize(posix.join(posix.dirname(document), decodeURIComponent(pathPart.split('?')[0] ?? '')));
      const broken = (reason: string): ReadonlyArray<BrokenLink> => [{ document, line, target, path, reason }];
      if (path.startsWith('../') || !targets.exists(path)) return broken(`${path} does not exist`);
      if (anchor === undefined || !path.endsWith('.md')) return [];
      const page = documents.get(path) ?? targets.readMarkdown(path) ?? '';
      return headingAnchors(page).includes(anchor) ? [] : broken(`${path} has no heading #${anchor}`);
    }),
  );
