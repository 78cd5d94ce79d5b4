/**
 * The HTTP contract's own limits: the routes check requests against them and the OpenAPI document
 * states them, from these constants, so the two cannot disagree. The payload limits are
 * @sluice/tasks's (`MAX_PAYLOAD_BYTES` and the rest), the throughput window @sluice/store's.
 */

/** Most tasks in one `{ "tasks": [...] }` request: @sluice/tasks's, which createEnqueuer holds to as well. */
export { MAX_BULK_TASKS } from '@sluice/tasks';
/** Most tasks one load-generator request `{ "count": n }` may make. */
export const MAX_GENERATED_TASKS = 100_000;
/** Longest `taskTypes` list of a load-generator request: repeats are allowed, to weight types. */
export const MAX_GENERATOR_TYPES = 100;
/** Most batches one page of `GET /api/tasks/batches` shows; the store could give more, a page need not. */
export const MAX_BATCHES_LIMIT = 500;
/** Batches per page when `limit` is left out. */
export const DEFAULT_BATCHES_LIMIT = 20;
/** The dashboard's throughput chart covers five minutes. */
export const DEFAULT_THROUGHPUT_SECONDS = 300;
