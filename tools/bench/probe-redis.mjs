import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { readFileSync } from 'node:fs';
const variant = process.argv[2];
const removeOnComplete = { cur: { age: 3600, count: 10000 }, true: true, count1k: { count: 1000 }, age: { age: 3600 } }[
  variant
];
const opts = {
  attempts: 4,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete,
  removeOnFail: { age: 604800 },
};
const connection = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const name = 'rprobe-' + variant;
const queue = new Queue(name, { connection });
await queue.obliterate({ force: true }).catch(() => {});
const ticks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);
};
const pid = Number(process.argv[3]);
// prefill 10k completed to reach steady state of trimming
const N = Number(process.argv[4] ?? 30000);
for (let s = 0; s < N; s += 1000)
  await queue.addBulk(
    Array.from({ length: 1000 }, (_, i) => ({
      name: 'EMAIL',
      data: { payload: { to: `u${s + i}@x.com`, subject: 'hi', body: 'hello there' }, submittedAt: Date.now() },
      opts: { ...opts, jobId: `${variant}-${s + i}` },
    })),
  );
const t0 = ticks(pid);
const w0 = performance.now();
let done = 0;
const worker = new Worker(name, async () => ({ messageId: 'x', accepted: true }), {
  connection: new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null }),
  concurrency: 500,
});
await new Promise((resolve) =>
  worker.on('completed', () => {
    if (++done === N) resolve();
  }),
);
const t1 = ticks(pid);
const secs = (performance.now() - w0) / 1000;
console.log(
  variant.padEnd(8),
  'drain',
  (N / secs).toFixed(0),
  'jobs/s',
  'redis µs/job',
  (((t1 - t0) * 10000) / N).toFixed(1),
);
await worker.close();
await queue.obliterate({ force: true });
await queue.close();
connection.disconnect();
process.exit(0);
