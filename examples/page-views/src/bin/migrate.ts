#!/usr/bin/env node
// `npm run migrate`: Sluice's tables first (`sluice migrate`), then this, on the same DATABASE_URL.
import { loadConfig } from 'sluice';
import { applyMigrations } from '../migrate.js';

const main = async (): Promise<number> => {
  try {
    // The same variable, default and check as every Sluice command.
    const { databaseUrl } = loadConfig(process.env);
    const target = new URL(databaseUrl);
    const applied = await applyMigrations(databaseUrl);
    if (applied.length === 0) console.log(`page_views: ${target.host}${target.pathname} is up to date`);
    for (const name of applied) console.log(`page_views: applied ${name} to ${target.host}${target.pathname}`);
    return 0;
  } catch (error) {
    console.error(`page_views: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
};

process.exitCode = await main();
