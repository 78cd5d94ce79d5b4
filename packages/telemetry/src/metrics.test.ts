import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics, createQueueGauge } from './metrics.js';

describe('createMetrics', () => {
  it('exposes every Sluice metric with the sluice_ prefix on its own registry', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { defaults: false });
    metrics.commitSeconds.observe({ task_type: 'EMAIL' }, 0.002);
    metrics.tasksFinished.inc({ task_type: 'EMAIL', outcome: 'completed' }, 100);
    const text = await registry.metrics();
    expect(text).toContain('sluice_commit_seconds_count{task_type="EMAIL"} 1');
    expect(text).toContain('sluice_tasks_finished_total{task_type="EMAIL",outcome="completed"} 100');
    expect(registry.getMetricsAsArray().every((m) => m.name.startsWith('sluice_'))).toBe(true);
  });

  it('can be created twice on two registries (factories, not singletons)', () => {
    expect(() => {
      createMetrics(new Registry(), { defaults: false });
      createMetrics(new Registry(), { defaults: false });
    }).not.toThrow();
  });

  it('reads queue counts at scrape time, one series per state and shard', async () => {
    const registry = new Registry();
    let waiting = 3;
    createQueueGauge(registry, async () => [{ waiting, active: 1 }, { waiting: 5 }]);
    expect(await registry.metrics()).toContain('sluice_queue_jobs{state="waiting",shard="0"} 3');
    expect(await registry.metrics()).toContain('sluice_queue_jobs{state="waiting",shard="1"} 5');
    waiting = 7;
    expect(await registry.metrics()).toContain('sluice_queue_jobs{state="waiting",shard="0"} 7');
  });

  it('keeps the last queue counts when BullMQ cannot be read, rather than failing the scrape', async () => {
    const registry = new Registry();
    const errors: unknown[] = [];
    let redisUp = true;
    createQueueGauge(
      registry,
      async () => {
        if (!redisUp) throw new Error('Connection is closed.');
        return [{ waiting: 4 }];
      },
      (error) => errors.push(error),
    );
    await registry.metrics();
    redisUp = false;
    expect(await registry.metrics()).toContain('sluice_queue_jobs{state="waiting",shard="0"} 4');
    expect(errors).toHaveLength(1);
  });

  it('labels HTTP durations by method, route pattern and status', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { defaults: false });
    metrics.httpRequestSeconds.observe({ method: 'GET', route: '/api/tasks/:id', status: '404' }, 0.003);
    expect(await registry.metrics()).toContain(
      'sluice_http_request_duration_seconds_count{method="GET",route="/api/tasks/:id",status="404"} 1',
    );
  });

  it('names default process metrics with the sluice_ prefix', async () => {
    const registry = new Registry();
    createMetrics(registry);
    const text = await registry.metrics();
    expect(text).toMatch(/^sluice_process_resident_memory_bytes \d+/m);
    expect(text).toContain('sluice_nodejs_eventloop_lag_p99_seconds');
    // Gauges named like counters are left out; their per-type siblings stay.
    expect(text).not.toContain('sluice_nodejs_active_handles_total');
    expect(text).toContain('# TYPE sluice_nodejs_active_handles gauge');
  });
});
