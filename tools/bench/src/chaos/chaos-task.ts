/** The body of one submitted task: a demo task type and a payload that carries our ref. */
export interface ChaosTask {
  readonly taskType: 'EMAIL' | 'SMS' | 'PUSH';
  readonly payload: Readonly<Record<string, unknown>> & { readonly ref: string };
}

/**
 * The client-side name of task `index`. The api picks the task id, so an answer that never came
 * leaves us no id to look for: the ref, stored in the payload, is what we can still find in
 * PostgreSQL (`payload->>'ref'`) and in BullMQ (job data) afterwards.
 */
export const refOf = (index: number): string => `chaos-${String(index).padStart(7, '0')}`;

/**
 * Task `index` of the run. The three demo types take turns, so each worker holds several
 * groups at once and a crash catches groups in different stages.
 *
 * @example
 * chaosTask(0); // { taskType: 'EMAIL', payload: { to: 'user@example.com', subject: '…', ref: 'chaos-0000000' } }
 */
export const chaosTask = (index: number): ChaosTask => {
  const ref = refOf(index);
  switch (index % 3) {
    case 0:
      return { taskType: 'EMAIL', payload: { to: 'user@example.com', subject: `chaos ${ref}`, ref } };
    case 1:
      return { taskType: 'SMS', payload: { to: '+15555550100', message: `chaos ${ref}`, ref } };
    default:
      return { taskType: 'PUSH', payload: { deviceToken: 'chaos-device', title: `chaos ${ref}`, ref } };
  }
};
