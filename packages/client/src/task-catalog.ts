/**
 * What the client needs of a task type to type its payload: its name, and its payload schema's
 * input type as Standard Schema (https://standardschema.dev) exposes it. A `defineTaskType(…)`
 * of `@sluice/tasks` is one, through zod's `~standard`; so this package needs neither.
 */
export interface TaskTypeLike<N extends string = string, I = unknown> {
  readonly name: N;
  readonly payload: {
    // `| undefined` as Standard Schema declares it, so zod's schemas fit under exactOptionalPropertyTypes.
    readonly '~standard': { readonly types?: { readonly input: I } | undefined };
  };
}

/** The task types a client is typed with: `typeof taskTypes`, the array the api and workers run. */
export type TaskCatalog = ReadonlyArray<TaskTypeLike>;

/** The names of a catalog's task types: `string` for the untyped default. */
export type TaskTypeName<C extends TaskCatalog> = C[number]['name'];

/** A task type's payload as its schema takes it in (zod's `z.input`): defaults still optional. */
type InputOf<T> = T extends { readonly payload: { readonly '~standard': { readonly types?: infer Types } } }
  ? NonNullable<Types> extends { readonly input: infer I }
    ? I
    : unknown
  : unknown;

/**
 * The payload task type `N` of catalog `C` takes. Asked the other way round (`N extends` the
 * type's name) so that a type named only `string`, as in the untyped default, takes `unknown`.
 */
export type PayloadOf<C extends TaskCatalog, N extends string> = C[number] extends infer T
  ? T extends TaskTypeLike
    ? N extends T['name']
      ? InputOf<T>
      : never
    : never
  : never;

/** One task of a `submitMany`: a union over the catalog, so each name goes with its own payload. */
export type TaskSubmission<C extends TaskCatalog> = C[number] extends infer T
  ? T extends TaskTypeLike
    ? { readonly taskType: T['name']; readonly payload: InputOf<T> }
    : never
  : never;
