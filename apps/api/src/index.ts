// The api as a library: start it in a process of your own. The process shell that `sluice api`
// and dist/main.js run is the "./process" entry.
export { startApi, type ApiHandle, type StartApiOptions } from './start-api.js';
