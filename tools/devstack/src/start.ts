// `npm start`: runs the devstack (stack-main.ts) in a process group of its own so that Ctrl-C
// stops it in order instead of reaching every server at once; see own-process-group.ts.
import { fileURLToPath } from 'node:url';
import { createLogStream } from './log-stream.js';
import { runInOwnProcessGroup } from './own-process-group.js';

const stackMain = fileURLToPath(new URL('./stack-main.js', import.meta.url));
// If our output is closed, the stack notices the same on its own and stops; we go on quietly.
const log = createLogStream({ onClosed: () => undefined });
const code = await runInOwnProcessGroup(stackMain, process.argv.slice(2), log);
process.exit(code);
