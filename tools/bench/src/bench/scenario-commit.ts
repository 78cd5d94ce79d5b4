/**
 * Scenario 1, commit cost: how long a group of 100 finished tasks takes to reach a durable
 * PostgreSQL, written 100 times one autocommit INSERT at a time against once in one group
 * write. The strategies take turns round by round (their order rotating), so table growth,
 * checkpoints and autovacuum hit them alike. Client wall time per group, connection open.
 */
import pg from 'pg';
import { createDb, createStore } from '@sluice/store';
import type { CommitCostResult, CommitStrategyName } from './bench-result.js';
import { commitStrategies } from './commit-strategies.js';
import { sampleGroup } from './sample-tasks.js';
import { checkAborted, type ScenarioContext } from './scenario-context.js';
import { quantile, ratio, spreadOf } from './statistics.js';

const GROUP_SIZE = 100;

export const runCommitScenario = async (context: ScenarioContext): Promise<CommitCostResult> => {
  const { options, servers, progress, signal } = context;
  await servers.reset([]);
  const db = createDb(servers.databaseUrl, { poolSize: 1 });
  const pool = new pg.Pool({ connectionString: servers.databaseUrl, max: 1 });
  try {
    const strategies = commitStrategies(pool, createStore(db), GROUP_SIZE);
    const samples = new Map<CommitStrategyName, number[]>(strategies.map((strategy) => [strategy.name, []]));
    const rounds = options.commitWarmup + options.commitRounds;
    for (let round = 0; round < rounds; round += 1) {
      checkAborted(signal);
      if (round % 10 === 0)
        progress.update(`commit cost: round ${round.toLocaleString('en-US')} of ${rounds.toLocaleString('en-US')}`);
      // Rotate the order so that no strategy always runs right after the same other one.
      const order = [...strategies.slice(round % strategies.length), ...strategies.slice(0, round % strategies.length)];
      for (const strategy of order) {
        // 100 single INSERTs take about 30 group writes' time: sample them less often.
        if (strategy.name === 'single-row' && round % options.singleRowEvery !== 0) continue;
        const group = sampleGroup(GROUP_SIZE);
        const started = performance.now();
        const written = await strategy.write(group);
        const ms = performance.now() - started;
        if (written !== GROUP_SIZE) throw new Error(`${strategy.name} wrote ${written} rows of ${GROUP_SIZE}`);
        if (round >= options.commitWarmup) samples.get(strategy.name)?.push(ms);
      }
    }
    progress.done();
    const results = strategies.map((strategy) => {
      const ms = samples.get(strategy.name) ?? [];
      return {
        name: strategy.name,
        roundTrips: strategy.roundTrips,
        msPerGroup: spreadOf(ms),
        p95Ms: quantile(ms, 0.95),
      };
    });
    const medianOf = (name: CommitStrategyName): number | undefined =>
      results.find((result) => result.name === name)?.msPerGroup.median;
    return {
      groupSize: GROUP_SIZE,
      rounds: options.commitRounds,
      singleRowRounds: samples.get('single-row')?.length ?? 0,
      strategies: results,
      speedup: ratio(medianOf('single-row'), medianOf('unnest')),
    };
  } finally {
    await Promise.all([db.destroy(), pool.end()]);
  }
};
