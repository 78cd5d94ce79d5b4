// What the dashboard reads from the api: three JSON endpoints, fetched together once a second.
import { UnauthorizedError } from './api-key.js';

/** Batches the charts plot; the table shows the newest of them. */
export const BATCHES_PLOTTED = 60;

const getJson = async (path, signal, key) => {
  const headers = { accept: 'application/json' };
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  const response = await fetch(path, { signal, cache: 'no-store', headers });
  if (response.status === 401) throw new UnauthorizedError(path);
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
};

/**
 * Stats, the per-second throughput and the recent batches, read at the same moment so the panels
 * agree with each other. Rejects if any of them fails: a half-updated page would mislead; with
 * an {@link UnauthorizedError} when the api wants an API key (`key`, sent as a bearer token).
 */
export const fetchSnapshot = async (signal, key) => {
  const [stats, throughput, batches] = await Promise.all([
    getJson('/api/tasks/stats', signal, key),
    getJson('/api/tasks/throughput?seconds=300', signal, key),
    getJson(`/api/tasks/batches?limit=${BATCHES_PLOTTED}`, signal, key),
  ]);
  return { stats, throughput, batches: batches.items };
};
