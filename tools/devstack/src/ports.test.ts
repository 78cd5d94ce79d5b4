import { once } from 'node:events';
import { createServer } from 'node:net';
import { freePort } from '@sluice/testkit/servers';
import { describe, expect, it } from 'vitest';
import { workerMetricsPorts } from './ports.js';

describe('workerMetricsPorts', () => {
  it('gives each worker its own port, the preferred ones when free', async () => {
    const first = await freePort();
    const ports = await workerMetricsPorts(3, first);
    expect(ports[0]).toBe(first);
    expect(new Set(ports).size).toBe(3);
  });

  it('steps around a preferred port that something else holds', async () => {
    const held = createServer();
    held.listen(0, '127.0.0.1');
    await once(held, 'listening');
    const taken = (held.address() as { port: number }).port;
    try {
      const ports = await workerMetricsPorts(2, taken);
      expect(ports).not.toContain(taken);
      expect(new Set(ports).size).toBe(2);
    } finally {
      held.close();
    }
  });
});
