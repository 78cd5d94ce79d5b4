import { sql } from 'kysely';
import { describe, expect } from 'vitest';
import { isDataError } from './is-data-error.js';
import { isTransientError } from './is-transient-error.js';
import { test } from './test-store.js';

describe('isDataError', () => {
  test('is true for a value PostgreSQL cannot read as its type (22P02)', async ({ db }) => {
    const failure = await sql`SELECT ${'twelve'}::integer`.execute(db).catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: '22P02' });
    expect(isDataError(failure)).toBe(true);
    expect(isTransientError(failure)).toBe(false);
  });

  test('is true for a NUL escape in jsonb (22P05)', async ({ db }) => {
    const failure = await sql`SELECT ${JSON.stringify({ text: 'a\u0000b' })}::jsonb`
      .execute(db)
      .catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: '22P05' });
    expect(isDataError(failure)).toBe(true);
  });

  test('is true for a check constraint violation (23514)', async ({ db }) => {
    // Counts that do not add up to the size break batches_counts_check.
    const failure = await db
      .insertInto('batches')
      .values({
        id: '01890a5d-ac96-774b-bcce-b302099a8057',
        worker_id: 'w',
        task_type: 'EMAIL',
        size: 3,
        completed: 1,
        failed: 0,
        retried: 0,
        duplicates: 0,
        trigger: 'size',
        opened_at: new Date(),
        flushed_at: new Date(),
        committed_at: new Date(),
        handler_ms: 1,
        commit_ms: 1,
      })
      .execute()
      .catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: '23514', constraint: 'batches_counts_check' });
    expect(isDataError(failure)).toBe(true);
    expect(isTransientError(failure)).toBe(false);
  });

  test('sees a data error wrapped as the cause of another error', async ({ db }) => {
    const failure = await sql`SELECT 1 / ${0}::integer`.execute(db).catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: '22012' });
    expect(isDataError(new Error('commit failed', { cause: failure }))).toBe(true);
  });

  test('is false for a statement error that is not about the data, and for non-errors', async ({ db }) => {
    const failure = await sql`SELEC 1`.execute(db).catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: '42601' });
    expect(isDataError(failure)).toBe(false);
    for (const other of [new Error('boom'), undefined, null, '22P02', { code: 22 }, { code: 'EPIPE' }]) {
      expect(isDataError(other)).toBe(false);
    }
  });
});
