import type { TaskType } from './task-type.js';

/** Every task type a deployment knows, by name. The api validates against it; the worker runs it. */
export interface Catalog {
  readonly names: ReadonlyArray<string>;
  get(name: string): TaskType | undefined;
}

/**
 * Builds a catalog from task types; names must be unique.
 *
 * @example
 * const catalog = createCatalog([email, sms, push]);
 * catalog.get('EMAIL')?.payload.parse(data);
 */
export const createCatalog = (types: ReadonlyArray<TaskType>): Catalog => {
  const byName = new Map<string, TaskType>();
  for (const type of types) {
    if (byName.has(type.name)) throw new Error(`Task type ${type.name} is defined twice`);
    byName.set(type.name, type);
  }
  const names = Object.freeze([...byName.keys()]);
  return Object.freeze({ names, get: (name: string) => byName.get(name) });
};
