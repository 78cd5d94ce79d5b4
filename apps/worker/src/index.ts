// The worker as a library: start it in a process of your own. The process shell that
// `sluice worker` and dist/main.js run is the "./process" entry.
export { startWorker, type StartWorkerOptions, type WorkerHandle } from './start-worker.js';
