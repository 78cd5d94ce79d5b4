// `node apps/worker/dist/main.js`: the worker process that the image, compose and `npm start` run.
import { runWorkerProcess } from './worker-process.js';

await runWorkerProcess();
