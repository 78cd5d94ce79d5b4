import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../command-shell.js';
import { parseChaosArgs } from './chaos-options.js';
import { formatChaosReport } from './format-report.js';
import { runChaos } from './run-chaos.js';

describe('a short chaos run', () => {
  it('loses, duplicates and invents no task across a worker SIGKILL, a Redis crash and a 10 s PostgreSQL outage', async () => {
    // The same path as `npm run chaos`, only smaller: 3,000 tasks over 10 s, one fault of each kind.
    const options = parseChaosArgs(
      [
        '--tasks',
        '3000',
        '--rate',
        '300',
        '--kill-every',
        '3',
        '--kills',
        '1',
        '--redis-restart-at',
        '4',
        '--pg-outage-at',
        '6',
        '--pg-outage-seconds',
        '10',
        '--drain-timeout',
        '90',
        '--seed',
        '20250101',
        '--quiet',
      ],
      { randomSeed: 0, defaultJsonPath: resolve(REPO_ROOT, 'bench', 'results-chaos-test.json') },
    );
    const result = await runChaos(options, {
      out: process.stdout,
      root: REPO_ROOT,
      signal: new AbortController().signal,
    });
    const report = formatChaosReport(result, { maxOffenders: 20 });

    expect(
      result.faults.records.filter((record) => record.injected).map((record) => record.kind),
      report,
    ).toEqual(['worker-kill', 'redis-restart', 'pg-outage']);
    const outage = result.faults.records.find((record) => record.kind === 'pg-outage');
    expect(outage?.downMs, report).toBeGreaterThanOrEqual(10_000);
    expect(result.load.unsubmitted, report).toBe(0);
    expect(result.counts.accepted + result.counts.indeterminate, report).toBe(3_000);
    expect(result.timings.drained, report).toBe(true);
    expect(
      { lost: result.counts.lost, duplicated: result.counts.duplicated, unexpected: result.counts.unexpected },
      report,
    ).toEqual({ lost: 0, duplicated: 0, unexpected: 0 });
    // What the run saw is worth reading even when it passes (tasks in the failed set, say).
    console.log(report);
  });
});
