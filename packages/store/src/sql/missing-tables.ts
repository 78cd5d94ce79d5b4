import { sql, type Kysely } from 'kysely';

/** `schema.table` as PostgreSQL reads a quoted name: each part matched as written, as a sink writes it. */
const quotedName = (table: string): string =>
  table
    .split('.')
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join('.');

/**
 * The tables among `tables` (`table` or `schema.table`, each part matched as written, an
 * unqualified one found through the search path as a statement would) that the database does not
 * have, in the order given. A worker asks this at start of its sinks' tables: a missing one
 * would fail every group of its type, attempt after attempt, until the tasks run out of them.
 *
 * @example
 * await missingTables(db, ['page_views', 'analytics.events']); // ['analytics.events']
 */
export const missingTables = async <DB>(db: Kysely<DB>, tables: ReadonlyArray<string>): Promise<string[]> => {
  if (tables.length === 0) return [];
  const { rows } = await sql<{ missing: boolean }>`
    SELECT to_regclass(name) IS NULL AS missing
    FROM unnest(${tables.map(quotedName)}::text[]) WITH ORDINALITY AS given(name, position)
    ORDER BY position`.execute(db);
  return tables.filter((_, index) => rows[index]?.missing === true);
};
