// `npm run migrate` (after `sluice migrate`): creates the example's own table, webhook_deliveries.
import pg from 'pg';
import { applyMigrations } from '../apply-migrations.js';
import { readDatabaseUrl } from '../env.js';

let client: pg.Client | undefined;
try {
  client = new pg.Client({ connectionString: readDatabaseUrl(process.env) });
  await client.connect();
  const applied = await applyMigrations(client);
  for (const name of applied) console.log(`applied migration ${name}`);
  if (applied.length === 0) console.log('webhook_deliveries is up to date');
} catch (error) {
  console.error(`migrate: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await client?.end();
}
