/**
 * `npm run bench`: starts Redis and a durable PostgreSQL (or uses the given ones), runs each
 * scenario, prints one table with the Done-when checks under it, and writes bench/results.json.
 * Wires the scenarios and the output; each scenario lives in its own file, the signals and the
 * JSON file are `runCommand`'s.
 *
 * Exit status: 0 every scenario ran (whether or not each target was met: the table says), 1 a
 * scenario failed, 2 the command line cannot be used, 130 interrupted.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeMachine } from '../chaos/machine-info.js';
import { createProgressLine } from '../chaos/progress-line.js';
import { formatTable } from '../chaos/text-table.js';
import { REPO_ROOT, type RunControl, runCommand } from '../command-shell.js';
import { BENCH_USAGE, parseBenchArgs, type BenchOptions } from './bench-options.js';
import type { BenchResults, ScenarioName } from './bench-result.js';
import { startBenchServers } from './bench-servers.js';
import { startCpuMeter } from './cpu-meter.js';
import { summariseProfile, type CpuProfile } from './cpu-profile-summary.js';
import { evaluateChecks } from './done-when.js';
import type { NodeChild } from './node-child.js';
import { checkRows, formatMarkdownTable, resultRows, RESULT_ALIGN } from './results-table.js';
import { runBulkScenario } from './scenario-bulk.js';
import { runCommitScenario } from './scenario-commit.js';
import type { ScenarioContext } from './scenario-context.js';
import { runHttpScenario } from './scenario-http.js';
import { runLatencyScenario } from './scenario-latency.js';
import { runMemoryScenario } from './scenario-memory.js';
import { runTaskTypesScenario } from './scenario-task-types.js';
import { runThroughputScenario } from './scenario-throughput.js';
import { DEFAULT_SERVICE_ENV, bullmqConcurrencyOf } from './bench-apps.js';

/** Cores of someone else's load above which a scenario's figures are flagged as disturbed. */
const FOREIGN_LOAD_WARNING = 0.1;

/** Prints the ten busiest functions and areas of every profile the run wrote. */
const summariseProfiles = async (dir: string): Promise<void> => {
  const folders = await readdir(dir).catch(() => [] as string[]);
  for (const folder of folders.sort()) {
    const files = (await readdir(join(dir, folder)).catch(() => [] as string[])).filter((file) =>
      file.endsWith('.cpuprofile'),
    );
    for (const file of files) {
      const profile = JSON.parse(await readFile(join(dir, folder, file), 'utf8')) as CpuProfile;
      const summary = summariseProfile(profile, 12);
      console.log(
        `\n${folder}/${file}: ${(summary.busyMs / 1000).toFixed(1)} s busy of ${(summary.totalMs / 1000).toFixed(1)} s`,
      );
      const rows = (items: typeof summary.areas) =>
        items.map((item) => [item.name, `${item.ms.toFixed(0)} ms`, `${(item.share * 100).toFixed(1)} %`]);
      console.log(formatTable([['area', 'self', 'of busy'], ...rows(summary.areas)], ['left', 'right', 'right']));
      console.log(
        formatTable([['function', 'self', 'of busy'], ...rows(summary.functions)], ['left', 'right', 'right']),
      );
    }
  }
};

const run = async (options: BenchOptions, control: RunControl): Promise<BenchResults> => {
  const runStarted = Date.now();
  const progress = createProgressLine(process.stdout);
  const started = new Set<NodeChild>();
  const servers = await startBenchServers({ redisUrl: options.redisUrl, databaseUrl: options.databaseUrl });
  control.onKillSwitch(() => {
    for (const child of started) child.killNow();
    servers.killNow();
  });
  try {
    const machine = await describeMachine({ root: REPO_ROOT, redis: servers.redis, db: servers.db });
    const durable = servers.postgres.fsync === 'on' && servers.postgres.synchronousCommit === 'on';
    console.log(
      `${machine.cores} cores (${machine.cpuModel}), ${machine.memoryMb.toLocaleString('en-US')} MB · Node ${machine.node} · ` +
        `Redis ${machine.redis} · PostgreSQL ${machine.postgres} (fsync=${servers.postgres.fsync}, ` +
        `synchronous_commit=${servers.postgres.synchronousCommit}${durable ? ': durable, as in production' : ': NOT durable'}) · ` +
        `commit ${machine.commit}${machine.uncommitted.length > 0 ? ` + ${machine.uncommitted.length} changed files` : ''}`,
    );
    if (options.quick) console.log('--quick: counts scaled down; these are not the Done-when figures.');

    const context: ScenarioContext = {
      options,
      servers,
      root: REPO_ROOT,
      progress,
      signal: control.signal,
      started,
    };
    const runners: Readonly<Record<ScenarioName, (context: ScenarioContext) => Promise<unknown>>> = {
      commit: runCommitScenario,
      throughput: runThroughputScenario,
      latency: runLatencyScenario,
      http: runHttpScenario,
      memory: runMemoryScenario,
      types: runTaskTypesScenario,
      bulk: runBulkScenario,
    };
    const outcomes: Partial<Record<ScenarioName, unknown>> = {};
    const failures: Partial<Record<ScenarioName, string>> = {};
    const foreignLoad: Partial<Record<ScenarioName, number>> = {};
    const serverPids = [servers.redisPid, servers.postmasterPid].filter((pid): pid is number => pid !== undefined);
    for (const scenario of options.scenarios) {
      if (control.signal.aborted) break;
      const scenarioStarted = Date.now();
      const meter = await startCpuMeter({}, serverPids);
      try {
        outcomes[scenario] = await runners[scenario](context);
        const other = (await meter.stop()).cores.other;
        if (other !== undefined) foreignLoad[scenario] = other;
        const disturbed = other !== undefined && other > FOREIGN_LOAD_WARNING;
        progress.note(
          `${scenario}: done in ${((Date.now() - scenarioStarted) / 1000).toFixed(0)} s` +
            (disturbed
              ? `; WARNING: other processes kept ${other.toFixed(2)} cores busy meanwhile, the figures are disturbed`
              : ''),
        );
      } catch (error) {
        progress.done();
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        failures[scenario] = message;
        console.error(`${scenario} failed: ${message}`);
      }
    }

    const partial = outcomes as Pick<
      BenchResults,
      'commit' | 'throughput' | 'latency' | 'http' | 'memory' | 'types' | 'bulk'
    >;
    const checks = evaluateChecks(partial);
    const results: BenchResults = {
      benchmark: 'sluice',
      at: new Date(runStarted).toISOString(),
      durationSeconds: (Date.now() - runStarted) / 1000,
      machine,
      postgres: { fsync: servers.postgres.fsync, synchronousCommit: servers.postgres.synchronousCommit, durable },
      settings: {
        ...options,
        serviceEnv: { ...DEFAULT_SERVICE_ENV, ...options.serviceEnv },
        bullmqConcurrency: bullmqConcurrencyOf({ ...DEFAULT_SERVICE_ENV, ...options.serviceEnv }),
        redis:
          options.redisUrl === undefined
            ? 'started by the bench: AOF on, appendfsync everysec, noeviction'
            : 'given by --redis-url',
      },
      ...partial,
      foreignLoad,
      failures,
      checks,
    };

    return results;
  } finally {
    // A scenario stops what it started; this is for one that failed half-way.
    await Promise.allSettled([...started].map((child) => child.stop(5_000)));
    await servers.stop();
  }
};

/** Prints the table, the Done-when checks and, with --cpu-prof, the busiest functions. */
const report = async (results: BenchResults, jsonPath: string, options: BenchOptions): Promise<void> => {
  const rows = resultRows(results);
  console.log(`\n${formatTable(rows, RESULT_ALIGN)}\n`);
  console.log(formatTable(checkRows(results.checks), ['left', 'left', 'right', 'left']));
  const disturbed = Object.entries(results.foreignLoad).filter(([, cores]) => cores > FOREIGN_LOAD_WARNING);
  if (disturbed.length > 0) {
    console.log(
      `\nWARNING: other processes loaded the machine during ${disturbed.map(([name, cores]) => `${name} (${cores.toFixed(2)} cores)`).join(', ')}; ` +
        'run again on a quiet machine for figures to rely on.',
    );
  }
  if (options.markdown) {
    console.log(`\n${formatMarkdownTable(rows, RESULT_ALIGN)}\n`);
    console.log(formatMarkdownTable(checkRows(results.checks), ['left', 'left', 'right', 'left']));
  }
  console.log(`\nwrote ${jsonPath} in ${(results.durationSeconds / 60).toFixed(1)} min`);
  if (options.cpuProfDir !== undefined) await summariseProfiles(options.cpuProfDir);
};

void runCommand({
  name: 'bench',
  usage: BENCH_USAGE,
  parse: (argv) => parseBenchArgs(argv, { defaultJsonPath: resolve(REPO_ROOT, 'bench', 'results.json') }),
  stopping: 'stopping after the current step',
  run,
  report,
  exitCode: (results) => (Object.keys(results.failures).length > 0 ? 1 : 0),
  crashExitCode: 1,
});
