/**
 * The local Redis and PostgreSQL talk a lot at their default levels; the combined log shows
 * only what needs a developer's attention. Startup failures are not filtered here: the testkit
 * puts the server's last lines into the error it throws.
 */

/**
 * Redis logs its every start and stop at warning level. The overcommit advice is about
 * background saves under memory pressure, which a development stack does not meet, and it
 * would otherwise fill three lines of every start.
 */
const REDIS_ROUTINE: ReadonlyArray<RegExp> = [
  /Redis is starting/,
  /Redis version=/,
  /Configuration loaded/,
  /Server initialized/,
  /Memory overcommit must be enabled/,
  /Received SIG\w+ scheduling shutdown/,
  /User requested shutdown/,
  /Redis is now ready to exit/,
  /^\d+$/, // the bare pid redis-server prints as it exits
];

/**
 * redis-server lines look like `123:M 28 Nov 2025 12:00:00.000 # text`, where the character
 * before the text is the level: `.` debug, `-` verbose, `*` notice, `#` warning.
 * Lines in any other shape (a fatal config error, a crash report) are always shown.
 */
export const redisLineMatters = (line: string): boolean => {
  if (REDIS_ROUTINE.some((pattern) => pattern.test(line))) return false;
  const match = /^\d+:[A-Z] \d{1,2} \w{3} \d{4} [\d:.]+ (.) /.exec(line);
  return match === null || match[1] === '#';
};

const POSTGRES_SEVERITY =
  /\b(DEBUG\d?|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|QUERY|CONTEXT|STATEMENT|LOCATION):\s/;
const SHOWN = new Set(['WARNING', 'ERROR', 'FATAL', 'PANIC']);
const FOLLOW_UPS = new Set(['DETAIL', 'HINT', 'QUERY', 'CONTEXT', 'STATEMENT', 'LOCATION']);

/**
 * Creates a filter for PostgreSQL's stderr: WARNING and worse, plus the DETAIL/HINT/STATEMENT
 * lines that explain them. Stateful, because whether a follow-up line matters depends on the
 * message before it; make one per server.
 */
export const createPostgresLineFilter = (): ((line: string) => boolean) => {
  let previousShown = false;
  return (line: string): boolean => {
    const severity = POSTGRES_SEVERITY.exec(line)?.[1];
    if (severity === undefined) return previousShown; // a continuation line (multi-line query text)
    if (FOLLOW_UPS.has(severity)) return previousShown;
    previousShown = SHOWN.has(severity);
    return previousShown;
  };
};
