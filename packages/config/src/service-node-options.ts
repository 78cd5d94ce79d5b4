/**
 * The `NODE_OPTIONS` the api and the worker run with: in the image and the compose file
 * (tools/deploy-checks keeps them equal to these) and from every launcher in this repository
 * (npm start, the bench, the scale and chaos runs).
 *
 * Why a heap limit, for both: BullMQ makes about 10 KB of short-lived garbage per job it adds or
 * moves (measured with `--trace-gc`: 1.05 GB freed while adding 100,000 jobs, with or without
 * Sluice around it). V8 sizes its old-space growth from the heap limit, which by default is a
 * share of the host's memory (about 4 GB on a 24 GB machine), so under a burst it lets garbage
 * pile up: the api's peak RSS while generating 100,000 tasks was 253–267 MB. With a 384 MB limit
 * V8 collects sooner: 153–168 MB, at the same speed. 384 MB is far above what either process
 * keeps alive (the api holds about 35 MB while generating; four 30 MB bulk bodies at once still
 * fit and were all accepted), so the limit shapes garbage collection, not capacity.
 */
export const API_NODE_OPTIONS = '--max-old-space-size=384';

/**
 * The worker's, with a young generation twice V8's default (32 MB semi-spaces): a job stays
 * alive while its group fills and commits, long enough to outlive the default young
 * generation's scavenges and be promoted, so most of the worker's garbage was collected the
 * expensive way. Measured on the bench's throughput scenario (50,000 tasks, one worker): the
 * worker's CPU per task 91–92 → 85–86 µs, peak RSS draining 100,000 tasks 127 → 162 MB. Not the
 * api's: there it raised the peak to 194 MB for no gain that matters.
 */
export const WORKER_NODE_OPTIONS = `${API_NODE_OPTIONS} --max-semi-space-size=32`;

/** The process a set of tuned flags belongs to, and the command that starts it with them. */
export const SERVICE_COMMANDS = Object.freeze({
  api: `node ${API_NODE_OPTIONS} apps/api/dist/main.js`,
  worker: `node ${WORKER_NODE_OPTIONS} apps/worker/dist/main.js`,
});

/**
 * The flags of `tuned` that the process was started without, judged by name: a flag the operator
 * set to another value (`--max-old-space-size=1024`) is their choice and counts as present.
 * V8 sizes its heap when the process starts, so a process can only tell, not fix, what is missing.
 *
 * @example
 * missingNodeFlags(WORKER_NODE_OPTIONS, ['--max-old-space-size=512'], ''); // ['--max-semi-space-size=32']
 */
export const missingNodeFlags = (
  tuned: string,
  execArgv: ReadonlyArray<string>,
  nodeOptions: string,
): ReadonlyArray<string> => {
  const nameOf = (flag: string): string => (flag.split('=')[0] ?? flag).replaceAll('_', '-');
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].filter(Boolean).map(nameOf));
  return tuned.split(' ').filter((flag) => !given.has(nameOf(flag)));
};

/**
 * What a service started without its tuned flags should say, and the command that starts it with
 * them; `undefined` when nothing is missing.
 *
 * @example
 * untunedService('worker', process.execArgv, config.nodeOptions);
 * // { missing: ['--max-semi-space-size=32'], command: 'node --max-old-space-size=384 --max-semi-space-size=32 apps/worker/dist/main.js' }
 */
export const untunedService = (
  service: keyof typeof SERVICE_COMMANDS,
  execArgv: ReadonlyArray<string>,
  nodeOptions: string,
): { readonly missing: ReadonlyArray<string>; readonly command: string } | undefined => {
  const tuned = service === 'api' ? API_NODE_OPTIONS : WORKER_NODE_OPTIONS;
  const missing = missingNodeFlags(tuned, execArgv, nodeOptions);
  return missing.length === 0 ? undefined : { missing, command: SERVICE_COMMANDS[service] };
};
