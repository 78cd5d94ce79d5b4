/**
 * How fast can a group of 100 finished tasks reach PostgreSQL? Four ways, measured against a
 * durable server (fsync and synchronous_commit on, as in production):
 *
 *   single-row   100 autocommit INSERTs, one per task: what a plain worker does
 *   unnest       the store's commitGroup: one statement, nine array parameters
 *   copy         BEGIN; COPY into a temporary table; INSERT … SELECT … ON CONFLICT; COMMIT
 *   json-recordset  one statement reading the rows from one jsonb parameter
 *
 * Every way writes the batch row too (except single-row, which writes what the seed service
 * wrote: task rows only), skips existing ids, and is checked to have written 100 rows.
 * Strategies take turns round by round so that table growth and background work hit them
 * alike. Figures are client-side wall time per group, connection already open.
 *
 *   npx tsc -p tools/bench/tsconfig.build.json && node tools/bench/dist/commit-strategies.js
 *   options: --rounds 300 --warmup 30 --group 100 --single-row-every 10
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { once } from 'node:events';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { sql } from 'kysely';
import {
  createDatabaseIfMissing,
  createDb,
  createStore,
  migrateToLatest,
  type GroupCommit,
  type TaskRow,
} from '@sluice/store';
import { startPostgresServer } from '@sluice/testkit/servers';

const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '30' },
    group: { type: 'string', default: '100' },
    'single-row-every': { type: 'string', default: '10' },
  },
});
const ROUNDS = Number(options.rounds);
const WARMUP = Number(options.warmup);
const GROUP_SIZE = Number(options.group);
const SINGLE_ROW_EVERY = Number(options['single-row-every']);
const RESULTS = fileURLToPath(new URL('../../../bench/results-commit.json', import.meta.url));

// ── data ────────────────────────────────────────────────────────────────────────────────

/** UUIDv7: 48-bit Unix ms, version and variant bits, random rest (as production ids are). */
const uuidv7 = (): string => {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(Date.now(), 0, 6);
  bytes.writeUInt8(0x70 | (bytes.readUInt8(6) & 0x0f), 6);
  bytes.writeUInt8(0x80 | (bytes.readUInt8(8) & 0x3f), 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/** A group like the demo's EMAIL tasks: a few hundred bytes of JSON each, one in ten failed. */
const makeGroup = (): GroupCommit => {
  const now = Date.now();
  const tasks: TaskRow[] = Array.from({ length: GROUP_SIZE }, (_, i) => {
    const id = uuidv7();
    const failed = i % 10 === 9;
    return {
      id,
      taskType: 'EMAIL',
      payload: {
        to: `user-${id.slice(-8)}@example.com`,
        subject: 'Your "weekly" digest \\ résumé ✉',
        body: 'Hello,\n\tthis is line two of a body long enough to look like a real message.',
        tags: ['digest', 'weekly'],
        priority: i % 3,
      },
      status: failed ? 'FAILED' : 'COMPLETED',
      result: failed ? null : { messageId: `msg-${id.slice(-12)}`, accepted: true },
      error: failed ? 'mailbox unavailable: "550 5.1.1"' : null,
      attempts: failed ? 4 : 1,
      submittedAt: new Date(now - 1_500),
      startedAt: new Date(now - 20),
    };
  });
  return {
    batch: {
      id: uuidv7(),
      workerId: 'bench',
      taskType: 'EMAIL',
      trigger: 'size',
      openedAt: new Date(now - 1_500),
      flushedAt: new Date(now - 20),
      handlerMs: 3.2,
      size: GROUP_SIZE,
    },
    tasks,
  };
};

const jsonOrNull = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);

// ── strategies ──────────────────────────────────────────────────────────────────────────

type Strategy = (group: GroupCommit) => Promise<number>;

const singleRow =
  (pool: pg.Pool): Strategy =>
  async (group) => {
    const client = await pool.connect();
    try {
      let inserted = 0;
      for (const task of group.tasks) {
        const result = await client.query(
          `INSERT INTO tasks (id, task_type, payload, status, result, error, attempts,
                              submitted_at, started_at, committed_at, batch_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), $10)
           ON CONFLICT (id) DO NOTHING`,
          [
            task.id, task.taskType, jsonOrNull(task.payload), task.status, jsonOrNull(task.result),
            task.error, task.attempts, task.submittedAt, task.startedAt, group.batch.id,
          ],
        );
        inserted += result.rowCount ?? 0;
      }
      return inserted;
    } finally {
      client.release();
    }
  };

/** The batch-row half of the statement, shared by the copy and json strategies. */
const batchInsert = `
  INSERT INTO batches (id, worker_id, task_type, size, completed, failed, retried, duplicates,
                       trigger, opened_at, flushed_at, committed_at, handler_ms, commit_ms)
  SELECT $1::uuid, $2, $3, $4::integer,
         count(*) FILTER (WHERE status = 'COMPLETED'), count(*) FILTER (WHERE status = 'FAILED'),
         $5::integer, $6::integer - count(*),
         $7, $8::timestamptz, $9::timestamptz, now(), $10::double precision,
         1000 * extract(epoch FROM clock_timestamp() - statement_timestamp())
  FROM inserted
  RETURNING completed + failed AS inserted`;

const batchParameters = (group: GroupCommit): unknown[] => [
  group.batch.id, group.batch.workerId, group.batch.taskType, group.batch.size,
  group.batch.size - group.tasks.length, group.tasks.length, group.batch.trigger,
  group.batch.openedAt, group.batch.flushedAt, group.batch.handlerMs,
];

/** COPY's text format: `\N` is NULL; backslash, newline, carriage return and tab are escaped. */
const copyField = (value: string | null): string =>
  value === null
    ? '\\N'
    : value.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));

const copyLine = (task: TaskRow): string =>
  [
    task.id, task.taskType, jsonOrNull(task.payload), task.status, jsonOrNull(task.result),
    task.error, String(task.attempts), task.submittedAt.toISOString(),
    task.startedAt === null ? null : task.startedAt.toISOString(),
  ]
    .map(copyField)
    .join('\t') + '\n';

const copy = (pool: pg.Pool): Strategy => {
  // A temporary table lives as long as its connection: create it once per connection, and
  // let ON COMMIT DELETE ROWS empty it, rather than pay for CREATE/DROP in every group.
  const prepared = new WeakSet<pg.PoolClient>();
  return async (group) => {
    const client = await pool.connect();
    try {
      if (!prepared.has(client)) {
        await client.query(`
          CREATE TEMPORARY TABLE IF NOT EXISTS incoming (
            id uuid, task_type text, payload jsonb, status text, result jsonb, error text,
            attempts integer, submitted_at timestamptz, started_at timestamptz
          ) ON COMMIT DELETE ROWS`);
        prepared.add(client);
      }
      await client.query('BEGIN');
      try {
        const stream = client.query(copyFrom('COPY incoming FROM STDIN'));
        stream.end(group.tasks.map(copyLine).join(''));
        await once(stream, 'finish');
        const { rows } = await client.query<{ inserted: number }>(
          `WITH inserted AS (
             INSERT INTO tasks (id, task_type, payload, status, result, error, attempts,
                                submitted_at, started_at, committed_at, batch_id)
             SELECT id, task_type, payload, status, result, error, attempts,
                    submitted_at, started_at, now(), $1::uuid
             FROM incoming ORDER BY id
             ON CONFLICT (id) DO NOTHING
             RETURNING status
           )${batchInsert}`,
          batchParameters(group),
        );
        await client.query('COMMIT');
        return rows[0]?.inserted ?? 0;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    } finally {
      client.release();
    }
  };
};

const jsonRecordset =
  (pool: pg.Pool): Strategy =>
  async (group) => {
    const rows = [...group.tasks]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((task) => ({
        id: task.id, task_type: task.taskType, payload: task.payload ?? null, status: task.status,
        result: task.result ?? null, error: task.error, attempts: task.attempts,
        submitted_at: task.submittedAt, started_at: task.startedAt,
      }));
    const result = await pool.query<{ inserted: number }>(
      `WITH inserted AS (
         INSERT INTO tasks (id, task_type, payload, status, result, error, attempts,
                            submitted_at, started_at, committed_at, batch_id)
         SELECT id, task_type, payload, status, result, error, attempts,
                submitted_at, started_at, now(), $1::uuid
         FROM jsonb_to_recordset($11::jsonb) AS given (
           id uuid, task_type text, payload jsonb, status text, result jsonb, error text,
           attempts integer, submitted_at timestamptz, started_at timestamptz)
         ON CONFLICT (id) DO NOTHING
         RETURNING status
       )${batchInsert}`,
      [...batchParameters(group), JSON.stringify(rows)],
    );
    return result.rows[0]?.inserted ?? 0;
  };

// ── measuring ───────────────────────────────────────────────────────────────────────────

interface Summary {
  readonly name: string;
  readonly roundTrips: string;
  readonly samples: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly p95Ms: number;
  readonly meanMs: number;
  /** Median of single-row divided by this strategy's median. */
  readonly speedupVsSingleRow: number;
}

const quantile = (sorted: ReadonlyArray<number>, q: number): number => {
  const at = (sorted.length - 1) * q;
  const low = sorted[Math.floor(at)] ?? Number.NaN;
  const high = sorted[Math.ceil(at)] ?? Number.NaN;
  return low + (high - low) * (at - Math.floor(at));
};

const summarise = (
  name: string,
  roundTrips: string,
  samples: ReadonlyArray<number>,
  baselineMedian: number,
): Summary => {
  const sorted = [...samples].sort((a, b) => a - b);
  const medianMs = quantile(sorted, 0.5);
  return {
    name,
    roundTrips,
    samples: sorted.length,
    medianMs,
    minMs: sorted[0] ?? Number.NaN,
    maxMs: sorted.at(-1) ?? Number.NaN,
    p95Ms: quantile(sorted, 0.95),
    meanMs: sorted.reduce((sum, ms) => sum + ms, 0) / sorted.length,
    speedupVsSingleRow: baselineMedian / medianMs,
  };
};

const timed = async (strategy: Strategy, name: string): Promise<number> => {
  const group = makeGroup();
  const started = performance.now();
  const inserted = await strategy(group);
  const elapsed = performance.now() - started;
  if (inserted !== group.tasks.length) {
    throw new Error(`${name} wrote ${inserted} rows of ${group.tasks.length}`);
  }
  return elapsed;
};

/** How commits are flushed in one pass of the measurement. */
interface Mode {
  readonly name: 'durable' | 'no-wal-flush';
  readonly about: string;
  /** Extra connection settings, passed as libpq `options`. */
  readonly options?: string;
}

const modes: ReadonlyArray<Mode> = [
  {
    name: 'durable',
    about: 'synchronous_commit=on: every commit waits for its WAL flush, as in production',
  },
  {
    name: 'no-wal-flush',
    about: 'synchronous_commit=off: the WAL flush left out, isolating what each strategy itself costs',
    options: '-c synchronous_commit=off',
  },
];

const withOptions = (url: string, options: string | undefined): string => {
  if (options === undefined) return url;
  const withThem = new URL(url);
  withThem.searchParams.set('options', options);
  return withThem.toString();
};

interface ModeReport {
  readonly mode: Mode['name'];
  readonly about: string;
  readonly strategies: ReadonlyArray<Summary>;
  readonly fastest: string;
}

const measure = async (url: string, mode: Mode): Promise<ModeReport> => {
  const db = createDb(url, { poolSize: 1 });
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    // Confirm the mode took effect on both connections before trusting its figures.
    const expected = mode.options === undefined ? 'on' : 'off';
    const viaKysely = await sql<{ s: string }>`SELECT current_setting('synchronous_commit') AS s`.execute(db);
    const viaPg = await pool.query<{ s: string }>(`SELECT current_setting('synchronous_commit') AS s`);
    for (const seen of [viaKysely.rows[0]?.s, viaPg.rows[0]?.s]) {
      if (seen !== expected) throw new Error(`${mode.name}: synchronous_commit is ${seen}, expected ${expected}`);
    }
    const store = createStore(db);
    const strategies = {
      'single-row': { run: singleRow(pool), roundTrips: `${GROUP_SIZE} (autocommit each)` },
      unnest: {
        run: async (group: GroupCommit) => (await store.commitGroup(group)).inserted,
        roundTrips: '1',
      },
      copy: { run: copy(pool), roundTrips: '4 (BEGIN, COPY, INSERT…SELECT, COMMIT)' },
      'json-recordset': { run: jsonRecordset(pool), roundTrips: '1' },
    } as const;
    type Name = keyof typeof strategies;
    const names = Object.keys(strategies) as Name[];
    const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
      Name,
      number[]
    >;

    for (let round = 0; round < WARMUP + ROUNDS; round += 1) {
      // Rotate the order so no strategy always runs right after the same other one.
      const order = names.map((_, i) => names[(i + round) % names.length] as Name);
      for (const name of order) {
        if (name === 'single-row' && round % SINGLE_ROW_EVERY !== 0) continue;
        const ms = await timed(strategies[name].run, name);
        if (round >= WARMUP) samples[name].push(ms);
      }
    }

    const baseline = quantile([...samples['single-row']].sort((a, b) => a - b), 0.5);
    const summaries = names.map((name) =>
      summarise(name, strategies[name].roundTrips, samples[name], baseline),
    );
    const fastest = summaries
      .filter((summary) => summary.name !== 'single-row')
      .reduce((best, summary) => (summary.medianMs < best.medianMs ? summary : best));
    return { mode: mode.name, about: mode.about, strategies: summaries, fastest: fastest.name };
  } finally {
    await Promise.all([db.destroy(), pool.end()]);
  }
};

const printTable = (report: ModeReport): void => {
  const fixed = (n: number): string => n.toFixed(2).padStart(8);
  console.log(`\n${report.mode}: ${report.about}`);
  console.log(
    `${'strategy'.padEnd(16)}${'n'.padStart(6)}${'median'.padStart(9)}${'min'.padStart(9)}` +
      `${'p95'.padStart(9)}${'max'.padStart(9)}${'× vs 1-row'.padStart(12)}  round trips`,
  );
  for (const s of report.strategies) {
    console.log(
      `${s.name.padEnd(16)}${String(s.samples).padStart(6)} ${fixed(s.medianMs)} ${fixed(s.minMs)}` +
        ` ${fixed(s.p95Ms)} ${fixed(s.maxMs)}${s.speedupVsSingleRow.toFixed(1).padStart(11)}×  ${s.roundTrips}`,
    );
  }
  console.log(`fastest group write: ${report.fastest} (ms per group of ${GROUP_SIZE}, client wall time)`);
};

const main = async (): Promise<void> => {
  const server = await startPostgresServer({ durable: true });
  const url = server.url('sluice_bench');
  const stop = (): void => {
    void server.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  try {
    await createDatabaseIfMissing(url);
    const db = createDb(url, { poolSize: 1 });
    let postgres: { version: string; fsync: string } | undefined;
    try {
      await migrateToLatest(db);
      const { rows } = await sql<{ version: string; fsync: string }>`
        SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync
      `.execute(db);
      postgres = rows[0];
    } finally {
      await db.destroy();
    }
    console.log(
      `PostgreSQL ${postgres?.version} (fsync=${postgres?.fsync}), ${cpus().length} cores, groups of ` +
        `${GROUP_SIZE}, ${WARMUP} warm-up + ${ROUNDS} rounds (single-row every ${SINGLE_ROW_EVERY}th round)`,
    );

    const reports: ModeReport[] = [];
    for (const mode of modes) {
      const report = await measure(withOptions(url, mode.options), mode);
      printTable(report);
      reports.push(report);
    }

    await mkdir(dirname(RESULTS), { recursive: true });
    await writeFile(
      RESULTS,
      `${JSON.stringify(
        {
          benchmark: 'commit-strategies',
          at: new Date().toISOString(),
          machine: {
            cpus: cpus().length,
            cpuModel: cpus()[0]?.model,
            memoryGb: Math.round(totalmem() / 2 ** 30),
            node: process.version,
          },
          postgres,
          groupSize: GROUP_SIZE,
          warmupRounds: WARMUP,
          rounds: ROUNDS,
          singleRowEvery: SINGLE_ROW_EVERY,
          unit: 'ms per group, client wall time, connection already open',
          modes: reports,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`\nwrote ${RESULTS}`);
  } finally {
    process.off('SIGINT', stop);
    await server.stop();
  }
};

await main();
