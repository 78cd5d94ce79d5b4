/** Where a task is: waiting, running, waiting for a retry, or committed with its outcome. */
export type TaskStatus = 'QUEUED' | 'ACTIVE' | 'DELAYED' | 'COMPLETED' | 'FAILED';

/** A task as `GET /api/tasks/:id` shows it. `N` is the task type's name. Times are ISO 8601 texts. */
export interface TaskView<N extends string = string> {
  readonly id: string;
  readonly taskType: N;
  readonly status: TaskStatus;
  /** Attempts made so far: 0 while it waits for its first. */
  readonly attempts: number;
  /** What the handler answered for it, once COMPLETED; `null` before. */
  readonly result: unknown;
  /** Why its last attempt failed; `null` when none did. */
  readonly error: string | null;
  /** The group it was committed in; `null` until it is. */
  readonly batchId: string | null;
  readonly submittedAt: string;
  /** `null` until it is COMPLETED or FAILED. */
  readonly committedAt: string | null;
}
