import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** The example's migrations: `migrations/*.sql` of the package, applied in name order. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

/**
 * Applies the `.sql` files of `dir` that the database has not seen yet, in name order, and
 * records each in `page_views_migrations`; resolves to the names it applied (none the second
 * time). Everything runs in one transaction under an advisory lock, so two deploys running it at
 * once apply each file once, and a file that fails leaves nothing half done. Sluice's own tables
 * are `sluice migrate`'s: run that first, against the same database.
 *
 * @example
 * await applyMigrations('postgres://postgres@127.0.0.1:5432/sluice'); // ['001_page_views.sql']
 */
export const applyMigrations = async (databaseUrl: string, dir = MIGRATIONS_DIR): Promise<ReadonlyArray<string>> => {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    try {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('sluice-examples/page-views migrations'))");
      await client.query(`CREATE TABLE IF NOT EXISTS page_views_migrations (
        name text PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const done = new Set(
        (await client.query<{ name: string }>('SELECT name FROM page_views_migrations')).rows.map((row) => row.name),
      );
      const applied: string[] = [];
      for (const name of files.filter((file) => !done.has(file))) {
        try {
          // No parameters: the simple protocol, which runs a file of several statements.
          await client.query(await readFile(join(dir, name), 'utf8'));
        } catch (error) {
          throw new Error(`migration ${name} failed: ${(error as Error).message}`, { cause: error });
        }
        await client.query('INSERT INTO page_views_migrations (name) VALUES ($1)', [name]);
        applied.push(name);
      }
      await client.query('COMMIT');
      return applied;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  } finally {
    await client.end();
  }
};
