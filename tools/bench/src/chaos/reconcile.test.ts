import { describe, expect, it } from 'vitest';
import {
  reasonGroup,
  reconcile,
  unresolvedIds,
  type CommittedRow,
  type FailedJob,
  type JobSnapshot,
  type ReconcileInput,
} from './reconcile.js';

const row = (id: string, ref: string | null, status: CommittedRow['status'] = 'COMPLETED'): CommittedRow => ({
  id,
  ref,
  status,
  error: status === 'FAILED' ? 'boom' : null,
  attempts: 1,
  batchId: 'b-1',
});
const failedJob = (id: string, ref: string | null, reason = 'connect ECONNREFUSED 127.0.0.1:5432'): FailedJob => ({
  id,
  ref,
  reason,
  attemptsMade: 4,
});

const input = (partial: Partial<ReconcileInput>): ReconcileInput => ({
  accepted: [],
  indeterminate: [],
  rows: [],
  failedJobs: [],
  jobStates: new Map<string, JobSnapshot>(),
  ...partial,
});

describe('reconcile', () => {
  it('counts every accepted task that has a row as committed, and finds nothing wrong', () => {
    const verdict = reconcile(
      input({
        accepted: [
          { ref: 'r1', id: 'a' },
          { ref: 'r2', id: 'b' },
        ],
        rows: [row('a', 'r1'), row('b', 'r2', 'FAILED')],
      }),
    );
    expect(verdict.counts).toMatchObject({
      accepted: 2,
      committed: 2,
      committedCompleted: 1,
      committedFailed: 1,
      lost: 0,
      duplicated: 0,
      unexpected: 0,
    });
    expect(verdict.offenders).toEqual([]);
  });

  it('counts an accepted task found only in the failed set as failed, with its reason grouped', () => {
    const verdict = reconcile(
      input({
        accepted: [
          { ref: 'r1', id: 'a' },
          { ref: 'r2', id: 'b' },
        ],
        failedJobs: [failedJob('a', 'r1'), failedJob('b', 'r2')],
      }),
    );
    expect(verdict.counts).toMatchObject({ failed: 2, lost: 0 });
    expect(verdict.failedReasons).toEqual([{ reason: 'connect ECONNREFUSED 127.0.0.1:5432', count: 2 }]);
  });

  it('calls an accepted task in neither place lost, and says what BullMQ holds of it', () => {
    const verdict = reconcile(
      input({
        accepted: [{ ref: 'r1', id: 'a' }],
        jobStates: new Map([['a', { state: 'completed', attemptsMade: 1 }]]),
      }),
    );
    expect(verdict.counts.lost).toBe(1);
    expect(verdict.offenders).toHaveLength(1);
    expect(verdict.offenders[0]).toMatchObject({ kind: 'lost', ref: 'r1' });
    expect(verdict.offenders[0]?.why).toContain('BullMQ job: completed');
    expect(verdict.offenders[0]?.sightings[0]).toMatchObject({
      id: 'a',
      acceptedFor: 'r1',
      job: { state: 'completed' },
    });
  });

  it('calls a task still queued after the drain gave up pending, not lost', () => {
    const verdict = reconcile(
      input({
        accepted: [{ ref: 'r1', id: 'a' }],
        jobStates: new Map([['a', { state: 'delayed' }]]),
      }),
    );
    expect(verdict.counts).toMatchObject({ pending: 1, lost: 0 });
  });

  it('counts a second row for one ref under another id as a duplicate', () => {
    const verdict = reconcile(
      input({
        accepted: [{ ref: 'r1', id: 'a' }],
        rows: [row('a', 'r1'), row('z', 'r1')],
      }),
    );
    expect(verdict.counts).toMatchObject({ committed: 1, duplicated: 1, unexpected: 0 });
    const duplicate = verdict.offenders.find((offender) => offender.kind === 'duplicated');
    expect(duplicate?.sightings.map((sighting) => sighting.id).sort()).toEqual(['a', 'z']);
  });

  it('attaches the answers that made the client send a ref again to its offence', () => {
    const verdict = reconcile(
      input({
        accepted: [{ ref: 'r1', id: 'a' }],
        rows: [row('a', 'r1'), row('z', 'r1')],
        resent: new Map([['r1', ['503 at +18.0s']]]),
      }),
    );
    expect(verdict.offenders[0]).toMatchObject({ kind: 'duplicated', earlierAnswers: ['503 at +18.0s'] });
  });

  it('counts a row plus a failed job for one ref under two ids as a duplicate', () => {
    const verdict = reconcile(
      input({
        accepted: [{ ref: 'r1', id: 'a' }],
        rows: [row('a', 'r1')],
        failedJobs: [failedJob('z', 'r1')],
      }),
    );
    expect(verdict.counts.duplicated).toBe(1);
  });

  it('counts an id committed as COMPLETED and also in the failed set as a duplicate', () => {
    const verdict = reconcile(
      input({
        accepted: [{ ref: 'r1', id: 'a' }],
        rows: [row('a', 'r1')],
        failedJobs: [failedJob('a', 'r1', 'job stalled more than allowable limit')],
      }),
    );
    expect(verdict.counts).toMatchObject({ committed: 1, failed: 0, duplicated: 1 });
  });

  it('accepts a FAILED row together with its failed-set entry: that is how a final failure ends', () => {
    const verdict = reconcile(
      input({
        accepted: [{ ref: 'r1', id: 'a' }],
        rows: [row('a', 'r1', 'FAILED')],
        failedJobs: [failedJob('a', 'r1', 'boom')],
      }),
    );
    expect(verdict.counts).toMatchObject({ committed: 1, committedFailed: 1, failed: 0, duplicated: 0, unexpected: 0 });
  });

  it('calls a row whose ref was never answered 202 unexpected', () => {
    const verdict = reconcile(
      input({
        accepted: [{ ref: 'r1', id: 'a' }],
        rows: [row('a', 'r1'), row('x', 'r9'), row('y', null)],
        failedJobs: [failedJob('w', 'r8')],
      }),
    );
    expect(verdict.counts.unexpected).toBe(3);
    expect(
      verdict.offenders.filter((offender) => offender.kind === 'unexpected').map((offender) => offender.ref),
    ).toEqual(['r9', null, 'r8']);
  });

  it('counts a FAILED row and its failed-set entry of an unknown ref once', () => {
    const verdict = reconcile(input({ rows: [row('x', 'r9', 'FAILED')], failedJobs: [failedJob('x', 'r9')] }));
    expect(verdict.counts.unexpected).toBe(1);
  });

  it('calls a row unexpected when its id was answered for another ref', () => {
    const verdict = reconcile(input({ accepted: [{ ref: 'r1', id: 'a' }], rows: [row('a', 'r2')] }));
    expect(verdict.counts).toMatchObject({ committed: 1, unexpected: 1 });
  });

  it('reports indeterminate refs by where they ended, and never as lost or unexpected', () => {
    const verdict = reconcile(
      input({
        indeterminate: ['r1', 'r2', 'r3'],
        rows: [row('a', 'r1')],
        failedJobs: [failedJob('b', 'r2')],
      }),
    );
    expect(verdict.counts).toMatchObject({
      indeterminate: 3,
      indeterminateCommitted: 1,
      indeterminateFailed: 1,
      indeterminateNowhere: 1,
      lost: 0,
      unexpected: 0,
      failed: 0,
    });
  });

  it('still counts an indeterminate ref that ended twice as a duplicate', () => {
    const verdict = reconcile(input({ indeterminate: ['r1'], rows: [row('a', 'r1'), row('b', 'r1')] }));
    expect(verdict.counts.duplicated).toBe(1);
  });

  it('flags the api answering one id for two refs', () => {
    const verdict = reconcile(
      input({
        accepted: [
          { ref: 'r1', id: 'a' },
          { ref: 'r2', id: 'a' },
        ],
        rows: [row('a', 'r1')],
      }),
    );
    expect(verdict.counts.duplicated).toBe(1);
  });

  it('lists lost tasks first, then duplicated, unexpected and pending', () => {
    const verdict = reconcile(
      input({
        accepted: [
          { ref: 'r1', id: 'a' },
          { ref: 'r2', id: 'b' },
          { ref: 'r3', id: 'c' },
        ],
        rows: [row('x', null), row('a', 'r1'), row('y', 'r1')],
        jobStates: new Map([
          ['b', { state: 'waiting' }],
          ['c', { state: 'missing' }],
        ]),
      }),
    );
    expect(verdict.offenders.map((offender) => offender.kind)).toEqual(['lost', 'duplicated', 'unexpected', 'pending']);
  });
});

describe('unresolvedIds', () => {
  it('names the accepted ids with neither a row nor a failed-set entry', () => {
    expect(
      unresolvedIds({
        accepted: [
          { ref: 'r1', id: 'a' },
          { ref: 'r2', id: 'b' },
          { ref: 'r3', id: 'c' },
        ],
        rows: [row('a', 'r1')],
        failedJobs: [failedJob('b', 'r2')],
      }),
    ).toEqual(['c']);
  });
});

describe('reasonGroup', () => {
  it('groups reasons that differ only by a task id', () => {
    expect(reasonGroup('task 0196f7a2-8c1d-7e2f-9a3b-4c5d6e7f8091 failed')).toBe(
      reasonGroup('task 0196f7a2-0000-7e2f-9a3b-4c5d6e7f8091 failed'),
    );
  });

  it('names an empty reason', () => {
    expect(reasonGroup('  ')).toBe('(no reason given)');
  });
});
