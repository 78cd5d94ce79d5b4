import type { Catalog } from './catalog.js';
import { groupByKey } from './group-key.js';
import type { Submission } from './submission.js';

/**
 * Most tasks one parcel carries, whatever its type's batch size: a parcel is one job, with one
 * lock and one JSON text, and a type whose groups hold 10,000 tasks still gets them as ten.
 */
export const MAX_PARCEL_TASKS = 1_000;

/** One parcel of a bulk submission: tasks of one type and group key, in request order. */
export interface PlannedParcel {
  readonly taskType: string;
  /** The type's `groupBy` key of every task; absent for a type without one, or a task it gave none. */
  readonly key?: string;
  /** Which class (type and group key, by first appearance in the request) it belongs to. */
  readonly classIndex: number;
  /** Tasks of its class in the request, and whether its class is the request's last. */
  readonly classSize: number;
  readonly lastClass: boolean;
  /** Its first task's place in its class. */
  readonly start: number;
  /** Its tasks' places in the request. */
  readonly positions: ReadonlyArray<number>;
}

/** How many tasks a parcel of `taskType` carries at most: its batch size, within MAX_PARCEL_TASKS. */
export const parcelSizeOf = (catalog: Catalog, taskType: string, defaultSize: number): number =>
  Math.min(catalog.get(taskType)?.batch?.size ?? defaultSize, MAX_PARCEL_TASKS);

/**
 * Cuts a bulk submission into parcels. Tasks are sorted into classes by type and `groupBy` key
 * (a class per pair, in order of first appearance, each keeping request order), and each class
 * is cut into parcels of its type's batch size (see parcelSizeOf). A full parcel is then a full
 * group on arrival, and a worker takes a class's tasks in as many jobs as it has parcels.
 *
 * Pure, and the same body under the same batch sizes always gives the same plan, which keyed
 * requests rely on (their ids are made from it).
 *
 * @example
 * planParcels(catalog, [email1, sms1, email2], 100);
 * // [{ taskType: 'EMAIL', classIndex: 0, start: 0, positions: [0, 2], … },
 * //  { taskType: 'SMS', classIndex: 1, start: 0, positions: [1], lastClass: true, … }]
 */
export const planParcels = (
  catalog: Catalog,
  submissions: ReadonlyArray<Submission>,
  defaultSize: number,
): ReadonlyArray<PlannedParcel> => {
  const classes = new Map<string, { taskType: string; key?: string; positions: number[] }>();
  submissions.forEach((submission, position) => {
    const type = catalog.get(submission.taskType);
    const answer = type?.groupBy === undefined ? undefined : groupByKey(type, submission.payload);
    const key = answer?.ok === true ? answer.key : undefined;
    // JSON keeps a type name and a key apart whatever either holds.
    const name = JSON.stringify([submission.taskType, key ?? null]);
    const found = classes.get(name);
    if (found !== undefined) found.positions.push(position);
    else
      classes.set(name, {
        taskType: submission.taskType,
        ...(key === undefined ? {} : { key }),
        positions: [position],
      });
  });
  const parcels: PlannedParcel[] = [];
  let classIndex = 0;
  for (const { taskType, key, positions } of classes.values()) {
    const size = parcelSizeOf(catalog, taskType, defaultSize);
    for (let start = 0; start < positions.length; start += size) {
      parcels.push({
        taskType,
        ...(key === undefined ? {} : { key }),
        classIndex,
        classSize: positions.length,
        lastClass: classIndex === classes.size - 1,
        start,
        positions: positions.slice(start, start + size),
      });
    }
    classIndex += 1;
  }
  return parcels;
};
