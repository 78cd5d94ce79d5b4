/*
 * Ids of the tasks a parcel carries, and of the parcel's job, made so that one can be found from
 * the other with no index in Redis.
 *
 * A parcel is one BullMQ job carrying many tasks of one group key (see parcel.ts). Its tasks keep
 * ids of their own, UUIDs like every task id, that share all but their low 24 bits with the
 * parcel's *base*. The low 24 bits (the last 6 hex digits) hold three fields:
 *
 *   bits  0–13  index: the task's place (0 … 16,383)
 *   bit   14    last: set on the last task of a keyed request's class (see keyed-parcels.ts)
 *   bits 15–21  attempt: 0 in a task id; in a retry parcel's job id, the attempt its tasks go on to
 *   bits 22–23  0
 *
 * A parcel's job id is the base with the index of its first task and the other fields 0, so a
 * task id leads to its parcel's job id by clearing fields: `parcelJobIdOf`. Tasks of one parcel
 * that need another attempt leave in a retry parcel whose job id is that job id with the attempt
 * field set (`retryParcelId`), so a worker that crashes after adding it and adds it again makes
 * the same job, which BullMQ refuses to hold twice.
 *
 * An unkeyed parcel's base is a new UUIDv7 (its time and 50 random bits), so its task ids are
 * UUIDv7s that sort by time like any other. A keyed one's comes from the Idempotency-Key.
 */
import { newId } from './task-id.js';

/** Tasks one parcel, or one class of a keyed request, can number: the index field's range. */
export const PARCEL_INDEX_LIMIT = 1 << 14;
/** Attempts a retry parcel's id can name: the attempt field's range. BATCH_MAX_RETRIES stops at 100. */
export const PARCEL_ATTEMPT_LIMIT = 1 << 7;

const INDEX_MASK = PARCEL_INDEX_LIMIT - 1;
const LAST_BIT = 1 << 14;
const ATTEMPT_SHIFT = 15;

/** The low 24 bits of a UUID in its canonical text form: its last 6 hex digits. */
const lowBits = (id: string): number => Number.parseInt(id.slice(30), 16);

const withLowBits = (id: string, bits: number): string => `${id.slice(0, 30)}${bits.toString(16).padStart(6, '0')}`;

/** The fields of a task or parcel id's low 24 bits. */
export interface ParcelFields {
  readonly index: number;
  readonly last: boolean;
  readonly attempt: number;
}

/**
 * What the low bits of `id` say. Any UUID has low bits, so this says nothing of whether `id` is
 * a parcel's: a task id of a single-task job reads as arbitrary fields.
 */
export const parcelFields = (id: string): ParcelFields => {
  const bits = lowBits(id);
  return { index: bits & INDEX_MASK, last: (bits & LAST_BIT) !== 0, attempt: bits >>> ATTEMPT_SHIFT };
};

/** `base` with its low 24 bits set to `fields`. */
export const withParcelFields = (base: string, fields: Partial<ParcelFields>): string => {
  const { index = 0, last = false, attempt = 0 } = fields;
  if (!Number.isInteger(index) || index < 0 || index >= PARCEL_INDEX_LIMIT) {
    throw new RangeError(`a parcel index must be a whole number below ${PARCEL_INDEX_LIMIT}, got ${index}`);
  }
  if (!Number.isInteger(attempt) || attempt < 0 || attempt >= PARCEL_ATTEMPT_LIMIT) {
    throw new RangeError(`a parcel attempt must be a whole number below ${PARCEL_ATTEMPT_LIMIT}, got ${attempt}`);
  }
  return withLowBits(base, index | (last ? LAST_BIT : 0) | (attempt << ATTEMPT_SHIFT));
};

/**
 * A new base for an unkeyed parcel: a UUIDv7 of `now` whose low 24 bits are 0.
 *
 * @example
 * const base = newParcelBase();
 * const ids = payloads.map((_, index) => withParcelFields(base, { index }));
 * // the job id is ids[0], which is base
 */
export const newParcelBase = (now: number = Date.now()): string => withLowBits(newId(now), 0);

/**
 * The job id of the parcel that holds task `id`, if it is in one: `id` with its last flag and
 * attempt cleared and its index set to the start of its parcel. `parcelSize` is how many tasks
 * the parcels of its class hold (a keyed request numbers tasks across a whole class, then cuts
 * the class into parcels of that size); leave it out for an unkeyed parcel, numbered from 0.
 *
 * @example
 * parcelJobIdOf('01936f4e-…-…0a0005'); // '01936f4e-…-…0a0000'
 */
export const parcelJobIdOf = (id: string, parcelSize?: number): string => {
  const { index } = parcelFields(id);
  const start = parcelSize === undefined ? 0 : index - (index % parcelSize);
  return withParcelFields(id, { index: start });
};

/**
 * The job id of the retry parcel that takes the tasks of job `jobId` on to `attempt`: `jobId`
 * with its attempt field set. A retry parcel of a retry parcel starts from the same id, so every
 * job a parcel's tasks ever travel in is its job id and an attempt.
 */
export const retryParcelId = (jobId: string, attempt: number): string => {
  const { index, last } = parcelFields(jobId);
  return withParcelFields(jobId, { index, last, attempt });
};
