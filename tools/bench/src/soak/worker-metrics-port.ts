/**
 * The port a worker's metrics server took, from its log: the stack starts each worker with
 * `METRICS_PORT=0` (any free port, so several share a host), and the worker says which one in
 * its `worker started` line (`{"level":"info","message":"worker started",…,"metricsPort":40123}`).
 * The latest such line wins: a worker started again takes a new port.
 *
 * @example
 * metricsPortOf('{"level":"info","message":"worker started","metricsPort":40123}\n'); // 40123
 */
export const metricsPortOf = (log: string): number | undefined => {
  const lines = log.split('\n');
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = lines[index] ?? '';
    if (!line.includes('"worker started"')) continue;
    try {
      const port = (JSON.parse(line) as { metricsPort?: unknown }).metricsPort;
      if (typeof port === 'number' && Number.isInteger(port) && port > 0) return port;
    } catch {
      // A line cut short while being written: an earlier one may still say.
    }
  }
  return undefined;
};
