/**
 * A task type's sink table is not in the database: the worker refuses to start, since every
 * group of that type would fail its commit until its tasks ran out of attempts. Its message names
 * the types and tables, and what to do.
 */
export class SinkTableError extends Error {
  /** `table` → the task types that write to it, for each table the database lacks. */
  readonly missing: ReadonlyMap<string, ReadonlyArray<string>>;

  constructor(missing: ReadonlyMap<string, ReadonlyArray<string>>) {
    const lines = [...missing].map(
      ([table, types]) => `sink table "${table}" (task type ${types.join(', ')}) does not exist`,
    );
    super(
      `${lines.join('; ')} in the database of DATABASE_URL: create it with your own migration before starting the workers (Sluice writes to a sink table but never creates it)`,
    );
    this.name = 'SinkTableError';
    this.missing = missing;
  }
}
