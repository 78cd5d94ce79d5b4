import { z } from 'zod';
import { MAX_THROUGHPUT_SECONDS } from '@sluice/store';
import { DEFAULT_BATCHES_LIMIT, DEFAULT_THROUGHPUT_SECONDS, MAX_BATCHES_LIMIT } from './limits.js';

/**
 * A whole number in a query string. `z.coerce.number()` reads the text as `Number()` does, so
 * `?limit=5` is 5 and a repeated `?limit=1&limit=2` (an array) is NaN, which fails as any
 * non-number does; the OpenAPI document shows it as the integer it stands for.
 */
const wholeNumber = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/**
 * `GET /api/tasks/batches?limit=&before=`. `before` is a batch id in canonical UUID form, any
 * version, as the store's `isUuid` accepts (zod's `guid`, not its stricter `uuid`).
 */
export const batchesQuery = z.object({
  limit: wholeNumber(1, MAX_BATCHES_LIMIT, DEFAULT_BATCHES_LIMIT).describe(
    `Batches per page, 1 to ${MAX_BATCHES_LIMIT}.`,
  ),
  before: z
    .guid()
    .optional()
    .describe("The `nextCursor` of the previous page: that page's oldest batch id. Left out: the newest batches."),
});

/** `GET /api/tasks/throughput?seconds=`. */
export const throughputQuery = z.object({
  seconds: wholeNumber(1, MAX_THROUGHPUT_SECONDS, DEFAULT_THROUGHPUT_SECONDS).describe(
    `Complete seconds to cover, ending with the last one, 1 to ${MAX_THROUGHPUT_SECONDS}.`,
  ),
});
