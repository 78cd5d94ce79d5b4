/**
 * The outcome of a held job whose lock BullMQ could not renew before its group was processed.
 * The job was left out of the group: without its lock this worker can neither complete nor fail
 * it, and it runs again on whichever worker BullMQ's stalled check hands it to.
 */
export class LockLostError extends Error {
  /** The job's id. */
  readonly jobId: string | undefined;

  constructor(jobId: string | undefined) {
    super(`lost the lock of job ${jobId ?? '(no id)'} while it was held: left out of its group`);
    this.name = 'LockLostError';
    this.jobId = jobId;
  }
}
