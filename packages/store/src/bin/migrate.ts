#!/usr/bin/env node
// `npm run migrate`, the compose one-shot service and `npm start` run this file from dist/.
import { loadConfig } from '@sluice/config';
import { errorMessage } from '../error-message.js';
import { runMigrateCommand } from '../migrate-command.js';

const main = async (): Promise<number> => {
  let databaseUrl: string;
  try {
    databaseUrl = loadConfig().databaseUrl;
  } catch (error) {
    console.error(errorMessage(error));
    return 1;
  }
  return runMigrateCommand(databaseUrl, console);
};

process.exitCode = await main();
