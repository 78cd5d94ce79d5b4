/**
 * Which partitions of a table came and went during the run, from the names listed at each
 * sample. Immutable: each observation returns a new history.
 */
export interface PartitionHistory {
  /** The partitions at the first observation: there before the load began. */
  readonly initial: ReadonlySet<string>;
  /** Every partition seen so far. */
  readonly seen: ReadonlySet<string>;
  /** The partitions at the latest observation. */
  readonly current: ReadonlySet<string>;
}

export interface PartitionChanges {
  /** Partitions now. */
  readonly count: number;
  /** Seen since the first observation and not in it: made during the run. */
  readonly created: number;
  /** Seen at some observation and gone now. */
  readonly dropped: number;
}

/**
 * The history after one more listing of the table's partitions (none for a plain table).
 *
 * @example
 * let history = observePartitions(undefined, ['tasks_p20250101']);
 * history = observePartitions(history, ['tasks_p20250101', 'tasks_p20250102']);
 * partitionChanges(history); // { count: 2, created: 1, dropped: 0 }
 */
export const observePartitions = (
  history: PartitionHistory | undefined,
  names: ReadonlyArray<string>,
): PartitionHistory => {
  const current = new Set(names);
  return {
    initial: history?.initial ?? current,
    seen: new Set([...(history?.seen ?? []), ...names]),
    current,
  };
};

/** How many partitions there are, and how many were made and dropped since the first observation. */
export const partitionChanges = (history: PartitionHistory | undefined): PartitionChanges => {
  if (history === undefined) return { count: 0, created: 0, dropped: 0 };
  const seen = [...history.seen];
  return {
    count: history.current.size,
    created: seen.filter((name) => !history.initial.has(name)).length,
    dropped: seen.filter((name) => !history.current.has(name)).length,
  };
};
