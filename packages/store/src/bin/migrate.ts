#!/usr/bin/env node
// `npm run migrate`, the compose one-shot service and `npm start` run this file from dist/.
import { loadConfig } from '@sluice/config';
import { errorMessage } from '../error-message.js';
import { runMigrateCommand } from '../migrate-command.js';

const main = async (): Promise<number> => {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(errorMessage(error));
    return 1;
  }
  return runMigrateCommand(config.databaseUrl, console, { partitions: config.partitions });
};

process.exitCode = await main();
