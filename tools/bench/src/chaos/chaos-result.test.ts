import { describe, expect, it } from 'vitest';
import { exitCodeOf, judge, type JudgeInput } from './chaos-result.js';
import type { PlannedFault } from './fault-schedule.js';
import { testResult } from './test-result.js';

const plan: ReadonlyArray<PlannedFault> = [
  { kind: 'worker-kill', atMs: 3_000, worker: 1, restartAfterMs: 1_000 },
  { kind: 'redis-restart', atMs: 4_000, downMs: 2_000 },
  { kind: 'pg-outage', atMs: 6_000, downMs: 10_000 },
];

const judgeInput = (changes: Partial<JudgeInput> = {}): JudgeInput => {
  const result = testResult();
  return {
    counts: result.counts,
    load: result.load,
    crashes: [],
    plan,
    records: result.faults.records,
    drained: true,
    pgOutageMs: 10_000,
    rebuiltDuringRun: [],
    ...changes,
  };
};

describe('judge', () => {
  it('passes a drained run with every fault injected and nothing lost, duplicated or unexpected', () => {
    expect(judge(judgeInput())).toEqual({ verdict: 'pass', problems: [], warnings: [] });
  });

  it.each([
    ['lost', 'lost'],
    ['duplicated', 'duplicate'],
    ['unexpected', 'unexpected'],
  ] as const)('fails a run with a %s task', (field, word) => {
    const verdict = judge(judgeInput({ counts: { ...testResult().counts, [field]: 2 } }));
    expect(verdict.verdict).toBe('fail');
    expect(verdict.problems.join(' ')).toContain(word);
    expect(exitCodeOf(verdict.verdict)).toBe(1);
  });

  it('does not count a run whose faults were not all injected', () => {
    const records = testResult().faults.records.map((record) =>
      record.kind === 'redis-restart' ? { ...record, injected: false, detail: 'spawn failed' } : record,
    );
    const verdict = judge(judgeInput({ records }));
    expect(verdict.verdict).toBe('invalid');
    expect(verdict.problems).toEqual(['only 0 of 1 planned redis-restart faults were injected']);
    expect(exitCodeOf(verdict.verdict)).toBe(2);
  });

  it('does not count a PostgreSQL outage shorter than asked for', () => {
    const records = testResult().faults.records.map((record) =>
      record.kind === 'pg-outage' ? { ...record, downMs: 9_000 } : record,
    );
    expect(judge(judgeInput({ records })).verdict).toBe('invalid');
  });

  it('does not count a run that did not drain or could not submit everything', () => {
    expect(judge(judgeInput({ drained: false })).verdict).toBe('invalid');
    expect(judge(judgeInput({ load: { ...testResult().load, unsubmitted: 3 } })).verdict).toBe('invalid');
  });

  it('lets a loss outrank an invalid run', () => {
    expect(judge(judgeInput({ drained: false, counts: { ...testResult().counts, lost: 1 } })).verdict).toBe('fail');
  });

  it('warns when the code under test was rebuilt while the run went on', () => {
    expect(judge(judgeInput({ rebuiltDuringRun: ['worker'] })).warnings).toEqual([
      'apps/worker/dist was rebuilt during the run: processes started later ran other code than the first ones',
    ]);
  });

  it('passes with warnings for tasks in the failed set and for crashes it did not cause', () => {
    const verdict = judge(
      judgeInput({
        counts: { ...testResult().counts, failed: 12 },
        crashes: [{ service: 'worker-2', pid: 7, generation: 1, code: 1, signal: null, atMs: 5_000, logTail: 'boom' }],
      }),
    );
    expect(verdict.verdict).toBe('pass');
    expect(verdict.warnings).toEqual([
      "12 accepted tasks ended in BullMQ's failed set without a row (reasons below)",
      'worker-2 exited by itself at +5.0s (code 1, signal null)',
    ]);
  });
});
