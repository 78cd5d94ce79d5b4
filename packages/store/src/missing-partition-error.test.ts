import { sql } from 'kysely';
import { describe, expect } from 'vitest';
import { isDataError } from './is-data-error.js';
import { isMissingPartitionError, MissingPartitionError } from './missing-partition-error.js';
import { finishedTasks, groupOf } from './test-groups.js';
import { countRows, test } from './test-store.js';

describe('a commit with a row that has no partition', () => {
  test('throws MissingPartitionError and writes nothing, rather than taking the row for bad data', async ({
    db,
    store,
  }) => {
    // The fixtures' 2025 rows go to the migration's initial partition: dropped, as past retention.
    await sql`DROP TABLE tasks_initial`.execute(db);
    const group = groupOf([...finishedTasks(3, () => ({ submittedAt: new Date() })), ...finishedTasks(2)]);

    const failure = await store.commitGroup(group).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(MissingPartitionError);
    expect((failure as Error).message).toMatch(/^no partition to write a row into: no partition of relation "tasks"/);
    expect(isMissingPartitionError(failure)).toBe(true);
    expect(await countRows(db, 'tasks')).toBe(0);
    expect(await countRows(db, 'batches')).toBe(0);
  });

  test('says the same of a row past the newest partition, and is told apart from a CHECK constraint', async ({
    db,
    store,
  }) => {
    const far = new Date(Date.now() + 365 * 86_400_000);

    const failure = await store
      .commitGroup(groupOf(finishedTasks(1, () => ({ submittedAt: far }))))
      .catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(MissingPartitionError);
    const refusal = await sql`INSERT INTO tasks (id, task_type, status, attempts, submitted_at, committed_at, batch_id)
      VALUES (gen_random_uuid(), 'EMAIL', 'DONE', 1, now(), now(), gen_random_uuid())`
      .execute(db)
      .catch((e: unknown) => e);
    expect(isDataError(refusal)).toBe(true);
    expect(isMissingPartitionError(refusal)).toBe(false);
  });
});
