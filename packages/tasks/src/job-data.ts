import { z } from 'zod';

/**
 * What a BullMQ job of the tasks queue carries. The job's name is the task type and its id is the
 * task id, so neither is repeated here.
 */
export const jobDataSchema = z.object({
  payload: z.unknown(),
  /** Epoch ms when the api accepted the task; task latency is measured from here. */
  submittedAt: z.number().int().nonnegative(),
});

export type JobData = z.output<typeof jobDataSchema>;
