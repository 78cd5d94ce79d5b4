/** What one sample of the stack read: memory, tables, lag and latency at one moment of the load. */

/** One Node process of the stack. `undefined`: not read this time (the process was down, say). */
export interface ProcessReading {
  /** `api`, `worker-1`, … */
  readonly name: string;
  /** Resident set from /proc/<pid>/status, MB. */
  readonly rssMb: number | undefined;
  /** V8 heap in use, from the process's /metrics, MB. */
  readonly heapMb: number | undefined;
  /** The event loop's p99 delay since the previous scrape, from its /metrics, ms. */
  readonly lagMs: number | undefined;
}

/** `tasks` or `batches`, summed over its partitions. */
export interface TableReading {
  readonly tableMb: number;
  readonly indexMb: number;
  /** Partitions now; 0 for a plain table. */
  readonly partitions: number;
  /** Partitions made since the first sample. */
  readonly created: number;
  /** Partitions seen and gone since the first sample. */
  readonly dropped: number;
}

export interface SoakSample {
  /** ms since the load began. */
  readonly atMs: number;
  /** Tasks the api had accepted by then. */
  readonly accepted: number;
  /** BullMQ jobs waiting, active or delayed. */
  readonly queued: number | undefined;
  readonly processes: ReadonlyArray<ProcessReading>;
  /** Redis `used_memory`, MB. */
  readonly redisMb: number | undefined;
  readonly tasks: TableReading | undefined;
  readonly batches: TableReading | undefined;
  /** The largest event-loop p99 of the processes, ms. */
  readonly lagMs: number | undefined;
  /** p95 of submission-to-commit over the tasks the workers committed since the previous sample, ms. */
  readonly latencyP95Ms: number | undefined;
  /** Tasks the workers committed since the previous sample (the latency histogram's count). */
  readonly committed: number;
}

/** Both tables with their indexes, MB; `undefined` when either was not read. */
export const tablesMbOf = (sample: SoakSample): number | undefined =>
  sample.tasks === undefined || sample.batches === undefined
    ? undefined
    : sample.tasks.tableMb + sample.tasks.indexMb + sample.batches.tableMb + sample.batches.indexMb;
