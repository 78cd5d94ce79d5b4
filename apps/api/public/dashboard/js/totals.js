// The six totals across the top: three read from Redis (BullMQ), two from PostgreSQL, and their sum.
import { formatCount } from './format.js';

const setTotal = (name, value) => {
  const card = document.getElementById(`total-${name}`);
  const text = card?.querySelector('.value');
  if (!card || !text) return;
  text.textContent = formatCount(value);
  card.dataset.value = String(value);
  card.dataset.nonzero = String(value > 0);
};

/**
 * `submitted` is derived, not counted: every accepted task is either committed (a row in
 * PostgreSQL) or still in the queue. A counter kept by the api would reset when it restarts and
 * split across replicas; this sum does neither.
 */
export const renderTotals = (stats) => {
  const queue = stats.queue ?? {};
  // Prioritized jobs wait like any other; BullMQ just keeps them in a separate set.
  const waiting = (queue.waiting ?? 0) + (queue.prioritized ?? 0);
  const active = queue.active ?? 0;
  const delayed = queue.delayed ?? 0;
  const { completed, failed } = stats.totals;
  setTotal('submitted', completed + failed + waiting + active + delayed);
  setTotal('waiting', waiting);
  setTotal('active', active);
  setTotal('delayed', delayed);
  setTotal('completed', completed);
  setTotal('failed', failed);
};
