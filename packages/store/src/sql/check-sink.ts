import { SQL_IDENTIFIER, sinkRowsProblem } from '@sluice/tasks';
import { InvalidArgumentError } from '../invalid-argument-error.js';
import type { GroupCommit } from './group-commit.js';

/**
 * Refuses, before anything is sent, a sink the caller got wrong: a table name that is not
 * `table` or `schema.table` of plain identifiers, sink rows with nowhere to go, sink rows on a
 * FAILED task (only a completed task writes them), or rows that are not objects keyed by
 * column names. Like `checkGroup`, these are the caller's mistakes, not a task's data: the
 * worker checks each task's rows itself and fails that task alone, so this never fires there.
 *
 * @throws {InvalidArgumentError} naming the first bad field.
 */
export const checkSink = (group: GroupCommit): void => {
  const { sinkTable, tasks } = group;
  if (sinkTable !== undefined) {
    const parts = sinkTable.split('.');
    if (parts.length > 2 || !parts.every((part) => SQL_IDENTIFIER.test(part))) {
      throw new InvalidArgumentError(
        'sinkTable',
        `must be table or schema.table, each part matching ${SQL_IDENTIFIER}, got ${JSON.stringify(sinkTable)}`,
      );
    }
  }
  tasks.forEach((task, index) => {
    const rows = task.sinkRows;
    if (rows === undefined || (Array.isArray(rows) && rows.length === 0)) return;
    const field = `tasks[${index}].sinkRows`;
    if (sinkTable === undefined) throw new InvalidArgumentError(field, 'have no sinkTable to go to');
    if (task.status !== 'COMPLETED') {
      throw new InvalidArgumentError(field, 'must be empty for a FAILED task: only a completed task writes sink rows');
    }
    const problem = sinkRowsProblem(rows);
    if (problem !== undefined) throw new InvalidArgumentError(field, `are ${problem}`);
  });
};
