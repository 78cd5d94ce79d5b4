import { randomBytes } from 'node:crypto';
import pg from 'pg';

const withClient = async <T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};

/** Creates an empty database next to the one `adminUrl` names and returns its URL. */
export const createDatabase = async (adminUrl: string, prefix = 'sluice_test'): Promise<string> => {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

/** Drops the database `url` names, closing whatever connections it still has. */
export const dropDatabase = async (adminUrl: string, url: string): Promise<void> => {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  await withClient(adminUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`),
  );
};
