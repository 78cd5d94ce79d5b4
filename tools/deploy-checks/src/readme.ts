/** The lines of the section under `heading` (a whole Markdown heading line), up to the next heading. */
const section = (markdown: string, heading: string): ReadonlyArray<string> => {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start === -1) return [];
  const level = /^#+/.exec(heading)?.[0].length ?? 1;
  const end = lines.findIndex(
    (line, index) => index > start && /^#+\s/.test(line) && (/^#+/.exec(line)?.[0].length ?? 0) <= level,
  );
  return lines.slice(start + 1, end === -1 ? undefined : end);
};

/**
 * The names in backticks in the first column of the tables of the section under `heading`.
 *
 * @example
 * tableNames(readme, '### The compose stack'); // ['redis', 'postgres', …]
 */
export const tableNames = (markdown: string, heading: string): ReadonlyArray<string> =>
  section(markdown, heading).flatMap((line) => {
    const name = /^\|\s*`([^`]+)`\s*\|/.exec(line)?.[1];
    return name === undefined ? [] : [name];
  });

/** Subcommands whose first bare argument is one service, followed by a command to run in it. */
const ONE_SERVICE = new Set(['exec', 'run']);
/** Subcommands that take any number of services. */
const SERVICES = new Set([
  'up',
  'logs',
  'restart',
  'stop',
  'start',
  'kill',
  'rm',
  'ps',
  'pause',
  'unpause',
  'build',
  'pull',
  'create',
  'top',
]);

/**
 * Every service a `docker compose …` command in the text names: with `--scale name=N`, or as an
 * argument of a subcommand that takes services (`logs worker`, `exec api sh`).
 *
 * @example
 * composeCommandServices('docker compose up -d --scale worker=4'); // ['worker']
 */
export const composeCommandServices = (markdown: string): ReadonlyArray<string> =>
  markdown.split('\n').flatMap((line) => {
    const command = /docker compose\s+([^#`|]*)/.exec(line)?.[1];
    if (command === undefined) return [];
    const tokens = command.trim().split(/\s+/).filter(Boolean);
    const names: string[] = [];
    let verb: string | undefined;
    for (let i = 0; i < tokens.length; i += 1) {
      const token = tokens[i] ?? '';
      if (token === '--scale') {
        names.push((tokens[i + 1] ?? '').split('=')[0] ?? '');
        i += 1;
      } else if (token.startsWith('--scale=')) {
        names.push(token.slice('--scale='.length).split('=')[0] ?? '');
      } else if (token.startsWith('-')) {
        // Any other flag names no service.
      } else if (verb === undefined) {
        verb = token;
      } else if (SERVICES.has(verb) || ONE_SERVICE.has(verb)) {
        names.push(token);
        if (ONE_SERVICE.has(verb)) break;
      }
    }
    return names;
  });
