// The recent batches table, rebuilt from text nodes on every update (the ages move each second).
import { formatAge, formatCount, formatMs, shortId } from './format.js';

/** Rows the table shows; the charts plot more. */
export const BATCHES_LISTED = 15;

const cell = (content, className) => {
  const td = document.createElement('td');
  if (className) td.className = className;
  if (typeof content === 'string') td.textContent = content;
  else td.append(...content);
  return td;
};

const span = (text, className) => {
  const element = document.createElement('span');
  element.className = className;
  element.textContent = text;
  return element;
};

const row = (batch, now) => {
  const tr = document.createElement('tr');
  tr.dataset.batchId = batch.id;
  const id = cell(shortId(batch.id), 'id');
  id.title = `${batch.id} · ${batch.workerId}`;
  // Retried tasks and redelivered duplicates wrote no row; without them a group of 3 that shows
  // "0 / 0" would look like a bug.
  const extra = [
    ...(batch.retried > 0 ? [`${formatCount(batch.retried)} retried`] : []),
    ...(batch.duplicates > 0 ? [`${formatCount(batch.duplicates)} duplicate${batch.duplicates === 1 ? '' : 's'}`] : []),
  ];
  const outcome = [
    ...(extra.length > 0 ? [span(`${extra.join(', ')} · `, 'muted')] : []),
    span(formatCount(batch.completed), ''),
    ' / ',
    span(formatCount(batch.failed), batch.failed > 0 ? 'failed' : ''),
  ];
  // A type with groupBy makes a group per key (a tenant, a customer): the key follows the type.
  const type =
    batch.groupKey === null || batch.groupKey === undefined
      ? cell(batch.taskType)
      : cell([batch.taskType, span(` · ${batch.groupKey}`, 'muted')]);
  if (batch.groupKey !== null && batch.groupKey !== undefined) type.title = `${batch.taskType}, key ${batch.groupKey}`;
  tr.append(
    id,
    type,
    cell(formatCount(batch.size), 'num'),
    cell([span(batch.trigger, `badge trigger-${batch.trigger}`)]),
    cell(outcome, 'num'),
    cell(formatMs(batch.commitMs), 'num'),
    cell(formatAge(now - Date.parse(batch.committedAt)), 'num'),
  );
  return tr;
};

/**
 * @param batches newest first, as /api/tasks/batches answers
 * @param now the server's clock, estimated, in epoch ms: ages are measured against it
 */
export const renderBatchesTable = (table, empty, batches, now) => {
  const listed = batches.slice(0, BATCHES_LISTED);
  table.tBodies[0]?.replaceChildren(...listed.map((batch) => row(batch, now)));
  empty.hidden = listed.length > 0;
};
