import { describe, expect, it } from 'vitest';
import { eachInFlight } from './in-flight.js';

/** A send that resolves when told to, recording what is in flight. */
const controlledSend = () => {
  const inFlight = new Set<number>();
  const sent: number[] = [];
  let most = 0;
  const finishers = new Map<number, (error?: Error) => void>();
  const send = (item: number): Promise<void> =>
    new Promise((resolve, reject) => {
      sent.push(item);
      inFlight.add(item);
      most = Math.max(most, inFlight.size);
      finishers.set(item, (error) => {
        inFlight.delete(item);
        if (error) reject(error);
        else resolve();
      });
    });
  const finish = async (item: number, error?: Error): Promise<void> => {
    finishers.get(item)?.(error);
    // Let the freed client take its next item.
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { send, finish, sent, most: () => most };
};

describe('eachInFlight', () => {
  it('keeps the given number in flight, sending the next item as soon as one finishes', async () => {
    const { send, finish, sent, most } = controlledSend();
    const done = eachInFlight([0, 1, 2, 3, 4], 2, send);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([0, 1]);
    await finish(1);
    expect(sent).toEqual([0, 1, 2]);
    for (const item of [0, 2, 3, 4]) await finish(item);
    await done;
    expect(sent).toEqual([0, 1, 2, 3, 4]);
    expect(most()).toBe(2);
  });

  it('rejects with the first failure and sends nothing after it', async () => {
    const { send, finish, sent } = controlledSend();
    const outcome = eachInFlight([0, 1, 2, 3], 2, send).catch((error: unknown) => error);
    await new Promise((resolve) => setImmediate(resolve));
    await finish(0, new Error('refused'));
    await finish(1);
    expect(await outcome).toEqual(new Error('refused'));
    expect(sent).toEqual([0, 1]);
  });

  it('sends nothing for no items', async () => {
    const { send, sent } = controlledSend();
    await eachInFlight([], 4, send);
    expect(sent).toEqual([]);
  });
});
