/**
 * `npm run bench`: starts Redis and a durable PostgreSQL (or uses the given ones), runs each
 * scenario, prints one table with the Done-when checks under it, and writes bench/results.json.
 * Wires the options, the signals and the output; each scenario lives in its own file.
 *
 * Exit status: 0 every scenario ran (whether or not each target was met: the table says), 1 a
 * scenario failed, 2 the command line cannot be used, 130 interrupted.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine } from '../chaos/machine-info.js';
import { createProgressLine } from '../chaos/progress-line.js';
import { formatTable } from '../chaos/text-table.js';
import { OptionError } from '../option-error.js';
import { BENCH_USAGE, parseBenchArgs, type BenchOptions } from './bench-options.js';
import type { BenchResults, ScenarioName } from './bench-result.js';
import { startBenchServers, type BenchServers } from './bench-servers.js';
import { startCpuMeter } from './cpu-meter.js';
import { summariseProfile, type CpuProfile } from './cpu-profile-summary.js';
import { evaluateChecks } from './done-when.js';
import type { NodeChild } from './node-child.js';
import { checkRows, formatMarkdownTable, resultRows, RESULT_ALIGN } from './results-table.js';
import { runCommitScenario } from './scenario-commit.js';
import type { ScenarioContext } from './scenario-context.js';
import { runHttpScenario } from './scenario-http.js';
import { runLatencyScenario } from './scenario-latency.js';
import { runMemoryScenario } from './scenario-memory.js';
import { runThroughputScenario } from './scenario-throughput.js';
import { DEFAULT_SERVICE_ENV, bullmqConcurrencyOf } from './bench-apps.js';

/** `dist/bench/` sits four levels below the repository root (tools/bench/dist/bench). */
const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');

/** Cores of someone else's load above which a scenario's figures are flagged as disturbed. */
const FOREIGN_LOAD_WARNING = 0.1;

const interrupted = new AbortController();
const started = new Set<NodeChild>();
let servers: BenchServers | undefined;

const killEverything = (): void => {
  for (const child of started) child.killNow();
  servers?.killNow();
};

const onSignal = (signal: NodeJS.Signals): void => {
  if (interrupted.signal.aborted) {
    console.error(`${signal} again: killing every process the bench started`);
    killEverything();
    process.exit(130);
  }
  console.error(`\n${signal}: stopping after the current step (again to kill at once)`);
  interrupted.abort();
};

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

const run = async (options: BenchOptions): Promise<number> => {
  const runStarted = Date.now();
  const progress = createProgressLine(process.stdout);
  servers = await startBenchServers({ redisUrl: options.redisUrl, databaseUrl: options.databaseUrl });
  const shared = servers;
  try {
    const machine = await describeMachine({ root: ROOT, redis: shared.redis, db: shared.db });
    const durable = shared.postgres.fsync === 'on' && shared.postgres.synchronousCommit === 'on';
    console.log(
      `${machine.cores} cores (${machine.cpuModel}), ${machine.memoryMb.toLocaleString('en-US')} MB · Node ${machine.node} · ` +
        `Redis ${machine.redis} · PostgreSQL ${machine.postgres} (fsync=${shared.postgres.fsync}, ` +
        `synchronous_commit=${shared.postgres.synchronousCommit}${durable ? ': durable, as in production' : ': NOT durable'}) · ` +
        `commit ${machine.commit}${machine.uncommitted.length > 0 ? ` + ${machine.uncommitted.length} changed files` : ''}`,
    );
    if (options.quick) console.log('--quick: counts scaled down; these are not the Done-when figures.');

    const context: ScenarioContext = {
      options,
      servers: shared,
      root: ROOT,
      progress,
      signal: interrupted.signal,
      started,
    };
    const runners: Readonly<Record<ScenarioName, (context: ScenarioContext) => Promise<unknown>>> = {
      commit: runCommitScenario,
      throughput: runThroughputScenario,
      latency: runLatencyScenario,
      http: runHttpScenario,
      memory: runMemoryScenario,
    };
    const outcomes: Partial<Record<ScenarioName, unknown>> = {};
    const failures: Partial<Record<ScenarioName, string>> = {};
    const foreignLoad: Partial<Record<ScenarioName, number>> = {};
    const serverPids = [shared.redisPid, shared.postmasterPid].filter((pid): pid is number => pid !== undefined);
    for (const scenario of options.scenarios) {
      if (interrupted.signal.aborted) break;
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

    const partial = outcomes as Pick<BenchResults, 'commit' | 'throughput' | 'latency' | 'http' | 'memory'>;
    const checks = evaluateChecks(partial);
    const results: BenchResults = {
      benchmark: 'sluice',
      at: new Date(runStarted).toISOString(),
      durationSeconds: (Date.now() - runStarted) / 1000,
      machine,
      postgres: { fsync: shared.postgres.fsync, synchronousCommit: shared.postgres.synchronousCommit, durable },
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

    const rows = resultRows(results);
    console.log(`\n${formatTable(rows, RESULT_ALIGN)}\n`);
    console.log(formatTable(checkRows(checks), ['left', 'left', 'right', 'left']));
    const disturbed = Object.entries(foreignLoad).filter(([, cores]) => cores > FOREIGN_LOAD_WARNING);
    if (disturbed.length > 0) {
      console.log(
        `\nWARNING: other processes loaded the machine during ${disturbed.map(([name, cores]) => `${name} (${cores.toFixed(2)} cores)`).join(', ')}; ` +
          'run again on a quiet machine for figures to rely on.',
      );
    }
    if (options.markdown) {
      console.log(`\n${formatMarkdownTable(rows, RESULT_ALIGN)}\n`);
      console.log(formatMarkdownTable(checkRows(checks), ['left', 'left', 'right', 'left']));
    }
    await mkdir(dirname(options.jsonPath), { recursive: true });
    await writeFile(options.jsonPath, `${JSON.stringify(results, null, 2)}\n`);
    console.log(
      `\nwrote ${relative(process.cwd(), options.jsonPath) || options.jsonPath} in ${(results.durationSeconds / 60).toFixed(1)} min`,
    );
    if (options.cpuProfDir !== undefined) await summariseProfiles(options.cpuProfDir);
    if (interrupted.signal.aborted) return 130;
    return Object.keys(failures).length > 0 ? 1 : 0;
  } finally {
    // A scenario stops what it started; this is for one that failed half-way.
    await Promise.allSettled([...started].map((child) => child.stop(5_000)));
    await shared.stop();
  }
};

const main = async (): Promise<number> => {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(process.argv.slice(2), { defaultJsonPath: resolve(ROOT, 'bench', 'results.json') });
  } catch (error) {
    if (error instanceof OptionError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(BENCH_USAGE);
    return 0;
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  // However this process ends, nothing it started may outlive it.
  process.on('exit', killEverything);
  return run(options);
};

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = interrupted.signal.aborted ? 130 : 1;
  },
);
