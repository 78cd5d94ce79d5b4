/**
 * Keeping a fixed number of calls in flight, as that many clients each sending one request after
 * the other would: the bulk load over HTTP and the same load added straight to BullMQ.
 */

/**
 * Calls `send` for each item in order, `inFlight` calls at all times until the items run out,
 * and resolves once every call resolved. The first rejection rejects, and no item is sent after
 * it (calls in flight finish unobserved).
 *
 * @example
 * await eachInFlight(bodies, 4, (body) => postBatch(url, body));
 */
export const eachInFlight = async <T>(
  items: ReadonlyArray<T>,
  inFlight: number,
  send: (item: T) => Promise<void>,
): Promise<void> => {
  // One iterator shared by every client: each takes the next item as it becomes free.
  const queue = items.values();
  let refused = false;
  const client = async (): Promise<void> => {
    for (const item of queue) {
      if (refused) return;
      try {
        await send(item);
      } catch (error) {
        refused = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, client));
};
