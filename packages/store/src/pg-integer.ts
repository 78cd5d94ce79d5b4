/** The largest value of PostgreSQL's `integer` (int4); one more is refused with 22003. */
export const MAX_PG_INTEGER = 2_147_483_647;

/**
 * Whether `value` fits an `integer` column that only takes counts: a whole number from 0 to
 * {@link MAX_PG_INTEGER}.
 */
export const isPgCount = (value: number): boolean => Number.isInteger(value) && value >= 0 && value <= MAX_PG_INTEGER;
