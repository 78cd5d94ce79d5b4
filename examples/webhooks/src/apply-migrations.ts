import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The example's own migrations: `migrations/*.sql`, applied in the order of their names. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

/** The one thing asked of a PostgreSQL connection here: `pg`'s `Client` is one. */
export interface SqlClient {
  query(text: string, values?: ReadonlyArray<unknown>): Promise<{ readonly rows: ReadonlyArray<unknown> }>;
}

/**
 * Applies the `.sql` files of `dir` that the database has not seen, in name order, and returns
 * their names (none once it is current). Each applied name is recorded in
 * `webhooks_migrations`, so running it again changes nothing. Everything runs in one
 * transaction under an advisory lock: a failure leaves the schema as it was, and two runs at
 * once (two deploys) wait for each other instead of both creating the table. Sluice's own
 * tables are `sluice migrate`'s.
 *
 * @throws {Error} naming the file that failed, with PostgreSQL's error as its cause.
 *
 * @example
 * const client = new pg.Client({ connectionString: databaseUrl });
 * await client.connect();
 * await applyMigrations(client); // ['001_webhook_deliveries.sql'] the first time, [] after
 */
export const applyMigrations = async (client: SqlClient, dir = MIGRATIONS_DIR): Promise<ReadonlyArray<string>> => {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  const applied: string[] = [];
  let current: string | undefined;
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('webhooks_migrations'))");
    await client.query(
      'CREATE TABLE IF NOT EXISTS webhooks_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query('SELECT name FROM webhooks_migrations');
    const done = new Set(rows.map((row) => (row as { name: string }).name));
    for (const file of files.filter((name) => !done.has(name))) {
      current = file;
      // Without parameters, pg sends the file as one simple query: several statements are fine.
      await client.query(await readFile(join(dir, file), 'utf8'));
      await client.query('INSERT INTO webhooks_migrations (name) VALUES ($1)', [file]);
      applied.push(file);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK');
    const what = current === undefined ? 'reading which migrations ran' : `migration ${current}`;
    throw new Error(`${what} failed, nothing applied: ${(error as Error).message}`, { cause: error });
  }
};
