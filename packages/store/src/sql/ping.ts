import { sql, type Kysely } from 'kysely';

/**
 * Runs `SELECT 1`: resolves when PostgreSQL answers, rejects with the driver's error when it
 * does not. Meant for readiness checks.
 *
 * @example
 * const ready = await ping(db).then(() => true, () => false);
 */
export const ping = async <DB>(db: Kysely<DB>): Promise<void> => {
  await sql`SELECT 1`.execute(db);
};
