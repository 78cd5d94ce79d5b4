// The devstack itself, started by start.ts in a process group of its own (see
// own-process-group.ts for why). Wires configuration, the log and signals to the stack.
import { ConfigError, loadDevstackConfig, type DevstackConfig } from '@sluice/config';
import { createLogStream } from './log-stream.js';
import { devstackPaths } from './paths.js';
import { logNames, startStack, type Stack } from './stack.js';

let config: DevstackConfig;
try {
  config = loadDevstackConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

let stack: Stack | undefined;
const log = createLogStream({
  names: logNames(config.workers),
  // Nobody reads our output any more (`npm start | head` ended, the terminal closed): stop.
  onClosed: () => stack?.requestStop('the output was closed'),
});
stack = startStack({ config, paths: devstackPaths(), log });
const running: Stack = stack;

process.on('SIGINT', () => running.requestStop('Ctrl-C'));
process.on('SIGTERM', () => running.requestStop('SIGTERM'));
process.on('SIGHUP', () => running.requestStop('the terminal closed'));
// start.ts holds the other end of this channel; it closes when start.ts dies in any way, even
// SIGKILL, and then nobody would stop our servers but us.
process.on('disconnect', () => running.requestStop('npm start went away'));
// Dying here would orphan redis-server and postgres: report, and stop everything cleanly instead.
let unexpected = 0;
process.on('uncaughtException', (error) => {
  unexpected += 1;
  process.exitCode = 1;
  // Reporting must not become a loop if the report itself is what keeps failing.
  if (unexpected <= 3) log.line('devstack', `✗ unexpected error: ${error.stack ?? String(error)}`, 'error');
  running.requestStop('internal error');
});

const code = await running.done;
// Exit now rather than when the event loop drains: a keep-alive socket or the IPC channel
// would otherwise hold the process open.
process.exit(process.exitCode === 1 ? 1 : code);
