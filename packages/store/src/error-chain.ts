/** Deep enough for any wrapping we have seen (pg-pool wraps once); a cycle cannot loop. */
const MAX_ERRORS = 16;

/**
 * `error`, then what it wraps: the members of an `AggregateError` (Node reports a refused
 * connection to a name with two addresses as one per address) and the `cause` chain (pg-pool
 * wraps a connect timeout around the socket error). Breadth first, each error once.
 */
export const errorChain = (error: unknown): ReadonlyArray<unknown> => {
  const seen: unknown[] = [];
  const pending: unknown[] = [error];
  while (pending.length > 0 && seen.length < MAX_ERRORS) {
    const next = pending.shift();
    if (next === undefined || next === null || seen.includes(next)) continue;
    seen.push(next);
    if (next instanceof AggregateError) pending.push(...(next.errors as unknown[]));
    if (next instanceof Error && next.cause !== undefined) pending.push(next.cause);
  }
  return seen;
};
