/** One line of a .dockerignore: a path pattern, `!` re-including what an earlier line excluded. */
export interface IgnoreRule {
  readonly pattern: string;
  readonly negated: boolean;
  readonly matcher: RegExp;
}

const toRegExp = (pattern: string): RegExp => {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i] ?? '';
    if (char === '*' && pattern[i + 1] === '*') {
      // `**/` matches any number of folders, including none; a trailing `**` anything below.
      if (pattern[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
};

/** The rules of a .dockerignore, in order; blank lines and comments dropped. */
export const parseDockerignore = (text: string): ReadonlyArray<IgnoreRule> =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = (negated ? line.slice(1) : line).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      return { pattern, negated, matcher: toRegExp(pattern) };
    });

/**
 * Whether the build context leaves `path` (relative to the context, slash-separated) out. As in
 * Docker, a rule that matches a folder also covers everything in it, and the last matching rule
 * wins.
 *
 * @example
 * isIgnored('apps/api/node_modules/x.js', parseDockerignore('**\/node_modules')); // true
 */
export const isIgnored = (path: string, rules: ReadonlyArray<IgnoreRule>): boolean => {
  const parts = path.replace(/^\.\//, '').split('/');
  const candidates = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
  return rules.reduce(
    (ignored, rule) => (candidates.some((candidate) => rule.matcher.test(candidate)) ? !rule.negated : ignored),
    false,
  );
};
