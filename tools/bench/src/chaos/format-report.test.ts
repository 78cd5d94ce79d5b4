import { describe, expect, it } from 'vitest';
import { formatChaosReport } from './format-report.js';
import type { Offender } from './reconcile.js';
import { testResult } from './test-result.js';

const figure = (report: string, name: string): string | undefined =>
  report
    .split('\n')
    .find((line) => line.startsWith(`${name} `))
    ?.slice(name.length)
    .trim()
    .split(/\s{2,}/)[0];

describe('formatChaosReport', () => {
  it('prints every figure of the issue in the table', () => {
    const report = formatChaosReport(testResult({}, { failed: 4, committed: 2_996 }), { maxOffenders: 20 });
    expect(figure(report, 'accepted')).toBe('3,000');
    expect(figure(report, 'committed')).toBe('2,996');
    expect(figure(report, 'failed')).toBe('4');
    expect(figure(report, 'lost')).toBe('0');
    expect(figure(report, 'duplicated')).toBe('0');
    expect(figure(report, 'unexpected')).toBe('0');
    expect(figure(report, 'indeterminate')).toBe('0');
    expect(figure(report, '503 answers')).toBe('10');
    expect(figure(report, 'worker SIGKILLs')).toBe('1');
    expect(figure(report, 'Redis restarts')).toBe('1');
    expect(figure(report, 'PostgreSQL outages')).toBe('1');
    expect(figure(report, 'time to drain')).toBe('8.0 s');
    expect(figure(report, 'throughput')).toBe('167/s');
    expect(report).toContain('LOCK_DURATION_MS=5000 STALLED_INTERVAL_MS=2000');
    expect(report).toContain('back after 10.3 s');
    expect(report).toMatch(/PASS/);
  });

  it('lists at most the offenders asked for, each with what was seen of it', () => {
    const offenders: Offender[] = Array.from({ length: 25 }, (_, index) => ({
      kind: 'lost',
      ref: `chaos-${index}`,
      why: 'accepted, but no row and not in the failed set; BullMQ job: missing',
      sightings: [{ id: `id-${index}`, acceptedFor: `chaos-${index}`, job: { state: 'missing' } }],
    }));
    const report = formatChaosReport(
      testResult(
        { verdict: 'fail', problems: ['25 accepted tasks lost: no row, not in the failed set'], offenders },
        { lost: 25 },
      ),
      { maxOffenders: 20 },
    );
    expect(report).toContain('offending tasks (20 of 25)');
    expect(report).toContain('id-19: answered 202 for chaos-19; no row; BullMQ job missing');
    expect(report).not.toContain('id-20:');
    expect(report).toMatch(/FAIL — 25 accepted tasks lost/);
  });

  it('shows why the client sent an offending ref more than once', () => {
    const offenders: Offender[] = [
      {
        kind: 'duplicated',
        ref: 'chaos-0008900',
        why: '2 tasks (distinct ids) ended for this one ref',
        sightings: [{ id: 'id-1', acceptedFor: 'chaos-0008900' }, { id: 'id-0' }],
        earlierAnswers: ['503 at +18.0s'],
      },
    ];
    const report = formatChaosReport(
      testResult({ verdict: 'fail', problems: ['1 duplicate outcome'], offenders }, { duplicated: 1 }),
      {
        maxOffenders: 20,
      },
    );
    expect(report).toContain('sent again after: 503 at +18.0s');
    expect(report).toContain('id-0: no row');
  });

  it('groups failed-set reasons with their counts', () => {
    const report = formatChaosReport(
      testResult({ failedReasons: [{ reason: 'connect ECONNREFUSED 127.0.0.1:5432', count: 231 }] }, { failed: 231 }),
      { maxOffenders: 20 },
    );
    expect(report).toContain('231 × connect ECONNREFUSED 127.0.0.1:5432');
  });
});
