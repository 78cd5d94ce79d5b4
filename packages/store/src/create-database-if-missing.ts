import pg from 'pg';
import { sqlStateOf } from './sql-state.js';

/** SQLSTATE 3D000: the database named in the connection does not exist. */
const INVALID_CATALOG_NAME = '3D000';
/** SQLSTATE 42P04: CREATE DATABASE lost a race with another process creating the same one. */
const DUPLICATE_DATABASE = '42P04';
/** SQLSTATE 23505: the same race, seen as pg_database's unique index instead. */
const UNIQUE_VIOLATION = '23505';

const connected = async <T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: url, application_name: 'sluice-migrate' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};

const databaseName = (url: string): string => decodeURIComponent(new URL(url).pathname.slice(1));

/** `"name"` with embedded quotes doubled: a database name is an identifier, not a value. */
const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * Makes sure the database `url` names exists, creating it when it does not, and tells whether
 * it did. A fresh server (a new compose stack, `npm start` on a clean machine) has only the
 * `postgres` database, and the migrations need their own to run in.
 *
 * It first connects to the target itself, so a user who may not connect to `postgres` (or
 * create databases) is fine as long as the database is already there. Only when the server
 * answers "database does not exist" does it connect to `postgres` on the same server and run
 * `CREATE DATABASE`. Two processes doing this at once is fine: the loser sees the database
 * appear and reports `false`.
 *
 * @example
 * if (await createDatabaseIfMissing(config.databaseUrl)) console.log('created the database');
 */
export const createDatabaseIfMissing = async (url: string): Promise<boolean> => {
  try {
    await connected(url, async () => undefined);
    return false;
  } catch (error) {
    // Without a name in the URL the server picked the user's default database: not ours to make.
    if (sqlStateOf(error) !== INVALID_CATALOG_NAME || databaseName(url) === '') throw error;
  }
  const name = databaseName(url);
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  try {
    await connected(maintenance.toString(), (client) => client.query(`CREATE DATABASE ${quoteIdentifier(name)}`));
    return true;
  } catch (error) {
    const state = sqlStateOf(error);
    if (state === DUPLICATE_DATABASE || state === UNIQUE_VIOLATION) return false;
    throw error;
  }
};
