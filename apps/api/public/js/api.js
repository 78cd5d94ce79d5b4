// What the dashboard reads from the api: three JSON endpoints, fetched together once a second.

/** Batches the charts plot; the table shows the newest of them. */
export const BATCHES_PLOTTED = 60;

const getJson = async (path, signal) => {
  const response = await fetch(path, { signal, cache: 'no-store', headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
};

/**
 * Stats, the per-second throughput and the recent batches, read at the same moment so the panels
 * agree with each other. Rejects if any of them fails: a half-updated page would mislead.
 */
export const fetchSnapshot = async (signal) => {
  const [stats, throughput, batches] = await Promise.all([
    getJson('/api/tasks/stats', signal),
    getJson('/api/tasks/throughput?seconds=300', signal),
    getJson(`/api/tasks/batches?limit=${BATCHES_PLOTTED}`, signal),
  ]);
  return { stats, throughput, batches: batches.items };
};
