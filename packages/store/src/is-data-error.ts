import { errorChain } from './error-chain.js';
import { sqlStateOf } from './sql-state.js';

/**
 * SQLSTATE classes meaning "the values you sent are the problem": 22 data exception (a NUL
 * escape in jsonb, an integer out of range, bad input syntax) and 23 integrity constraint
 * violation (a check or unique constraint). Sending the same values again fails again.
 */
const DATA_CLASSES: ReadonlySet<string> = new Set(['22', '23']);

/**
 * Whether PostgreSQL refused `error`'s statement because of the data it carried (SQLSTATE
 * class 22 or 23), looking through `cause` and `AggregateError` wrappers. Such an error never
 * heals by retrying: retrying the same rows fails the same way.
 *
 * @example
 * try {
 *   await sql`SELECT ${'abc'}::integer`.execute(db);
 * } catch (error) {
 *   isDataError(error); // true: 22P02 invalid input syntax for type integer
 * }
 */
export const isDataError = (error: unknown): boolean =>
  errorChain(error).some((link) => DATA_CLASSES.has(sqlStateOf(link)?.slice(0, 2) ?? ''));
