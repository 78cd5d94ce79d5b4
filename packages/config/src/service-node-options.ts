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
