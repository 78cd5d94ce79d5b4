import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The two tables. A migration is frozen once released: it describes the schema as it was
 * then, so it takes `Kysely<unknown>` rather than today's `Database` type.
 *
 * There is deliberately no foreign key from `tasks.batch_id` to `batches.id`: it would cost an
 * index probe per task row in the hot commit statement, and both rows are written by that one
 * statement anyway, so they cannot drift apart.
 */
export const createTasksAndBatches: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('tasks')
      .addColumn('id', 'uuid', (column) => column.primaryKey())
      .addColumn('task_type', 'text', (column) => column.notNull())
      .addColumn('payload', 'jsonb')
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('result', 'jsonb')
      .addColumn('error', 'text')
      .addColumn('attempts', 'integer', (column) => column.notNull())
      .addColumn('submitted_at', 'timestamptz', (column) => column.notNull())
      .addColumn('started_at', 'timestamptz')
      .addColumn('committed_at', 'timestamptz', (column) => column.notNull())
      .addColumn('batch_id', 'uuid', (column) => column.notNull())
      .addCheckConstraint('tasks_status_check', sql`status IN ('COMPLETED', 'FAILED')`)
      .addCheckConstraint('tasks_attempts_check', sql`attempts >= 0`)
      .execute();
    await db.schema.createIndex('tasks_batch_id_idx').on('tasks').column('batch_id').execute();

    await db.schema
      .createTable('batches')
      .addColumn('id', 'uuid', (column) => column.primaryKey())
      .addColumn('worker_id', 'text', (column) => column.notNull())
      .addColumn('task_type', 'text', (column) => column.notNull())
      .addColumn('size', 'integer', (column) => column.notNull())
      .addColumn('completed', 'integer', (column) => column.notNull())
      .addColumn('failed', 'integer', (column) => column.notNull())
      .addColumn('retried', 'integer', (column) => column.notNull())
      .addColumn('duplicates', 'integer', (column) => column.notNull())
      .addColumn('trigger', 'text', (column) => column.notNull())
      .addColumn('opened_at', 'timestamptz', (column) => column.notNull())
      .addColumn('flushed_at', 'timestamptz', (column) => column.notNull())
      .addColumn('committed_at', 'timestamptz', (column) => column.notNull())
      .addColumn('handler_ms', 'double precision', (column) => column.notNull())
      .addColumn('commit_ms', 'double precision', (column) => column.notNull())
      .addCheckConstraint('batches_trigger_check', sql`trigger IN ('size', 'timeout', 'shutdown')`)
      .addCheckConstraint(
        'batches_counts_check',
        sql`completed >= 0 AND failed >= 0 AND retried >= 0 AND duplicates >= 0
            AND completed + failed + retried + duplicates = size`,
      )
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('batches').execute();
    await db.schema.dropTable('tasks').execute();
  },
};
