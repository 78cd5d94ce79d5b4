import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../command-shell.js';
import { formatSoakReport } from './format-soak.js';
import { runSoak } from './run-soak.js';
import { parseSoakArgs } from './soak-options.js';

/** The spec's settings: partitions of a minute, rows kept two. */
const INTERVAL_S = 60;
const RETENTION_S = 120;
/**
 * The most `tasks` partitions the services may keep with those settings: the retention and the
 * interval being filled, plus what the workers make ahead (two intervals and at least 5 minutes,
 * packages/store's `aheadMs`), plus the migration's initial partition and one being made.
 */
const MAX_PARTITIONS = Math.ceil((RETENTION_S + INTERVAL_S + Math.max(2 * INTERVAL_S, 300)) / INTERVAL_S) + 2;

describe('a two-minute soak', () => {
  it('rotates partitions under steady load with nothing failing, every retained task readable, and every series measured', async () => {
    // The same path as `npm run soak`, at a rate two shared cores keep up with, in requests of
    // 25 so that the sample holds many tasks young enough for the retained-task check.
    const options = parseSoakArgs(
      [
        '--minutes',
        '2',
        '--rate',
        '400',
        '--per-request',
        '25',
        '--workers',
        '2',
        '--partition-interval',
        `${INTERVAL_S / 60}m`,
        '--retention',
        `${RETENTION_S / 60}m`,
      ],
      { defaultJsonPath: resolve(REPO_ROOT, 'bench', 'results-soak-test.json'), env: {} },
    );
    const result = await runSoak(options, {
      log: () => undefined,
      root: REPO_ROOT,
      signal: new AbortController().signal,
    });
    const report = formatSoakReport(result);

    // How fast things grew and whether the load kept its rate are measures of a shared machine:
    // the report shows them, `npm run soak` judges them, and judge-soak.test.ts holds the judging
    // to its bounds. Here, everything else that fails a soak must not happen.
    const measured = result.summary.growth.map((finding) => `${finding.series} grew `);
    const faults = result.failures.filter(
      (failure) => !failure.startsWith('the load reached') && !measured.some((prefix) => failure.startsWith(prefix)),
    );
    expect(faults, report).toEqual([]);
    expect(result.summary.load.failedRequests, report).toBe(0);
    expect(result.summary.crashes, report).toEqual([]);
    expect(
      result.summary.logErrors.every((log) => log.count === 0),
      report,
    ).toBe(true);
    expect(result.samples.length, report).toBe(13);
    // Every series after warm-up was read and judged, the tables reported (two minutes is too
    // short to judge them: they grow by design for retention + interval).
    expect(
      result.summary.growth
        .filter((finding) => finding.series !== 'tables')
        .every((f) => f.boundMbPerMinute !== undefined),
      report,
    ).toBe(true);
    // The tasks of the last minute are within the retention less one interval: ~16 requests/s
    // of them, each request's first task sampled.
    expect(result.summary.retained?.checked, report).toBeGreaterThanOrEqual(300);
    expect(result.summary.retained?.missing, report).toEqual([]);
    // Partitions of a minute must be made as time moves on, and no more kept than the settings allow.
    expect(result.summary.tasks.created, report).toBeGreaterThanOrEqual(1);
    expect(result.summary.batches.created, report).toBeGreaterThanOrEqual(1);
    expect(result.summary.tasks.max, report).toBeLessThanOrEqual(MAX_PARTITIONS);
    // What the run saw is worth reading even when it passes.
    console.log(report);
  }, 300_000);
});
