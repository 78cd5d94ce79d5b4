/*
 * The ids of a bulk request sent with an Idempotency-Key, now that bulk requests travel as
 * parcels (see parcel-plan.ts). The request is cut into classes (type and group key, by first
 * appearance) and each class into parcels, as any bulk request is; here every id also comes from
 * the key, so that a re-send names the same tasks and the same parcel jobs:
 *
 * - each class has a base, a version 8 UUID made from the caller, the key, the class's place and
 *   whether it is the request's last class, with its low 24 bits cleared;
 * - a task's id is its class's base with its place in the class as index, and the `last` flag on
 *   the class's last task (parcel-id.ts lays the bits out);
 * - a parcel's job id is its class's base with the index of its first task.
 *
 * Task ids depend on the body alone, never on batch sizes: a re-send after a type's batch size
 * changed names the same tasks (the primary key and BullMQ still refuse them twice), though it
 * cuts what is missing into other parcels.
 *
 * The flags let the tasks themselves remember where the request's classes ended, as the old
 * per-position ids did with their last task: a re-send with another number of tasks in a class,
 * or another number of classes, names a task that holds another flag than the one first stored,
 * and that task is among the request's `foreign` ids.
 */
import { uuidOf } from './idempotency.js';
import { withParcelFields } from './parcel-id.js';
import type { PlannedParcel } from './parcel-plan.js';

/** The ids of a keyed bulk request cut into parcels. */
export interface KeyedParcelIds {
  /** The request's task ids, in request order. */
  readonly own: ReadonlyArray<string>;
  /**
   * Ids that exist only if the key was first used for a body with other classes or other class
   * sizes: each own id with its flags turned the other ways.
   */
  readonly foreign: ReadonlyArray<string>;
  /** Each parcel's job id, in the plan's order. */
  readonly jobIds: ReadonlyArray<string>;
}

/** A class's base: see the header. */
const classBase = (key: string, caller: string | undefined, classIndex: number, lastClass: boolean): string =>
  withParcelFields(
    uuidOf(`sluice:v3:${JSON.stringify(['bulk-class', caller ?? null, key, classIndex, lastClass])}`),
    {},
  );

/**
 * The ids of a bulk request of `count` tasks cut into `plan` (`planParcels`), sent with `key` by
 * `caller`.
 *
 * @example
 * const plan = planParcels(catalog, submissions, 100);
 * const { own, foreign, jobIds } = keyedParcelIds('import-77', plan, submissions.length);
 * // own[i] names submissions[i]; a job or row under any id of `foreign` means the key was first
 * // sent with another body.
 */
export const keyedParcelIds = (
  key: string,
  plan: ReadonlyArray<PlannedParcel>,
  count: number,
  caller?: string,
): KeyedParcelIds => {
  const own = new Array<string>(count);
  const foreign: string[] = [];
  const jobIds: string[] = [];
  const bases = new Map<string, string>();
  const baseOf = (classIndex: number, lastClass: boolean): string => {
    const name = `${classIndex}:${lastClass}`;
    let base = bases.get(name);
    if (base === undefined) {
      base = classBase(key, caller, classIndex, lastClass);
      bases.set(name, base);
    }
    return base;
  };
  for (const parcel of plan) {
    const base = baseOf(parcel.classIndex, parcel.lastClass);
    const other = baseOf(parcel.classIndex, !parcel.lastClass);
    jobIds.push(withParcelFields(base, { index: parcel.start }));
    parcel.positions.forEach((position, offset) => {
      const index = parcel.start + offset;
      const last = index === parcel.classSize - 1;
      own[position] = withParcelFields(base, { index, last });
      foreign.push(
        withParcelFields(base, { index, last: !last }),
        withParcelFields(other, { index, last }),
        withParcelFields(other, { index, last: !last }),
      );
    });
  }
  return { own, foreign, jobIds };
};
