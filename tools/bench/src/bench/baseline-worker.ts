/**
 * A plain BullMQ worker, as one would write it without Sluice: the end-to-end scenario's two
 * baselines, run as a process of their own like a Sluice worker.
 *
 *   noop    the processor does nothing: the queue's own ceiling on this machine
 *   insert  the processor writes its task's row with one autocommit INSERT: what most users
 *           write. A node-postgres pool of 10 (its default) serves the concurrent jobs.
 *
 *   node tools/bench/dist/bench/baseline-worker.js --mode insert --redis-url redis://… \
 *     --database-url postgres://… --queue bench-throughput --concurrency 500
 *
 * The row is the one Sluice writes for the task (same table, same columns, the same result a
 * demo handler gives), so the two are compared on the same work. SIGTERM closes it cleanly.
 */
import { parseArgs } from 'node:util';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';

interface BaselineJobData {
  readonly payload: unknown;
  readonly submittedAt: number;
}

const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    'redis-url': { type: 'string' },
    'database-url': { type: 'string' },
    queue: { type: 'string' },
    concurrency: { type: 'string', default: '500' },
    'pool-size': { type: 'string', default: '10' },
  },
  strict: true,
});

const required = (name: keyof typeof values): string => {
  const value = values[name];
  if (typeof value !== 'string' || value === '') {
    console.error(`baseline-worker: --${name} is required`);
    process.exit(2);
  }
  return value;
};

const mode = required('mode');
if (mode !== 'noop' && mode !== 'insert') {
  console.error(`baseline-worker: --mode must be noop or insert (got ${mode})`);
  process.exit(2);
}
const concurrency = Number(required('concurrency'));

const INSERT = `
  INSERT INTO tasks (id, task_type, payload, status, result, error, attempts,
                     submitted_at, started_at, committed_at, batch_id)
  VALUES ($1, $2, $3, 'COMPLETED', $4, NULL, $5, $6, $7, now(), $1)
  ON CONFLICT (id, submitted_at) DO NOTHING`;

const pool =
  mode === 'insert'
    ? new pg.Pool({ connectionString: required('database-url'), max: Number(values['pool-size']) })
    : undefined;
pool?.on('error', (error) => console.error(`baseline-worker: idle PostgreSQL connection failed: ${error.message}`));

const process_ = async (job: Job<BaselineJobData>): Promise<unknown> => {
  if (pool === undefined) return undefined;
  const id = job.id ?? '';
  const result = { messageId: `${job.name.toLowerCase()}-${id.slice(-12)}` };
  await pool.query(INSERT, [
    id,
    job.name,
    JSON.stringify(job.data.payload),
    JSON.stringify(result),
    job.attemptsMade + 1,
    new Date(job.data.submittedAt),
    new Date(job.processedOn ?? Date.now()),
  ]);
  return result;
};

const connection = new Redis(required('redis-url'), { maxRetriesPerRequest: null });
connection.on('error', (error: Error) => console.error(`baseline-worker: redis: ${error.message}`));
const worker = new Worker<BaselineJobData>(required('queue'), process_, { connection, concurrency });
worker.on('error', (error) => console.error(`baseline-worker: ${error.message}`));

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) process.exit(1);
  stopping = true;
  await worker.close();
  await pool?.end();
  connection.disconnect();
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
