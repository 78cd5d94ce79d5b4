import { describe, expect, it } from 'vitest';
import { createMetrics, createQueueGauge, METRIC, Registry } from '@sluice/telemetry';
import { baseUnitOf, parseTagFilters, type PromMetric, toActuatorMetric } from './actuator-metrics.js';

/** The api's own metrics on a fresh registry, read back as prom-client's JSON. */
const setUp = () => {
  const registry = new Registry();
  const metrics = createMetrics(registry, { defaults: false });
  const json = async (name: string): Promise<PromMetric> => {
    const metric = registry.getSingleMetric(name);
    if (metric === undefined) throw new Error(`no metric ${name}`);
    return metric.get();
  };
  return { registry, metrics, json };
};

/** A summary exactly as prom-client 15 gives it (the api registers none of its own). */
const summary: PromMetric = {
  name: 'payload_size_bytes',
  help: 'Payload sizes.',
  type: 'summary',
  values: [
    { labels: { quantile: 0.5, task_type: 'EMAIL' }, value: 300 },
    { metricName: 'payload_size_bytes_sum', labels: { task_type: 'EMAIL' }, value: 900 },
    { metricName: 'payload_size_bytes_count', labels: { task_type: 'EMAIL' }, value: 3 },
    { labels: { quantile: 0.5, task_type: 'SMS' }, value: 40 },
    { metricName: 'payload_size_bytes_sum', labels: { task_type: 'SMS' }, value: 40 },
    { metricName: 'payload_size_bytes_count', labels: { task_type: 'SMS' }, value: 1 },
  ],
};

describe('toActuatorMetric', () => {
  it('gives a counter one COUNT, summed over its label sets, and lists each label with its values', async () => {
    const { metrics, json } = setUp();
    metrics.tasksSubmitted.inc({ task_type: 'EMAIL' }, 3);
    metrics.tasksSubmitted.inc({ task_type: 'SMS' }, 2);
    expect(toActuatorMetric(await json(METRIC.tasksSubmitted))).toEqual({
      name: 'sluice_tasks_submitted_total',
      description: 'Tasks accepted by the api and enqueued.',
      baseUnit: null,
      measurements: [{ statistic: 'COUNT', value: 5 }],
      availableTags: [{ tag: 'task_type', values: ['EMAIL', 'SMS'] }],
    });
  });

  it('narrows the measurements to samples with every given tag, which availableTags then leaves out', async () => {
    const { metrics, json } = setUp();
    metrics.tasksFinished.inc({ task_type: 'EMAIL', outcome: 'completed' }, 7);
    metrics.tasksFinished.inc({ task_type: 'EMAIL', outcome: 'failed' }, 1);
    metrics.tasksFinished.inc({ task_type: 'SMS', outcome: 'completed' }, 4);
    const finished = await json(METRIC.tasksFinished);
    expect(toActuatorMetric(finished, [{ key: 'outcome', value: 'completed' }])).toMatchObject({
      measurements: [{ statistic: 'COUNT', value: 11 }],
      availableTags: [{ tag: 'task_type', values: ['EMAIL', 'SMS'] }],
    });
    expect(
      toActuatorMetric(finished, [
        { key: 'outcome', value: 'completed' },
        { key: 'task_type', value: 'EMAIL' },
      ]),
    ).toMatchObject({ measurements: [{ statistic: 'COUNT', value: 7 }], availableTags: [] });
  });

  it('finds nothing when no sample has the tags, as Spring answers 404', async () => {
    const { metrics, json } = setUp();
    metrics.tasksSubmitted.inc({ task_type: 'EMAIL' });
    const submitted = await json(METRIC.tasksSubmitted);
    expect(toActuatorMetric(submitted, [{ key: 'task_type', value: 'FAX' }])).toBeUndefined();
    expect(toActuatorMetric(submitted, [{ key: 'no_such_label', value: 'EMAIL' }])).toBeUndefined();
  });

  it('gives a histogram in seconds COUNT and TOTAL_TIME from its _count and _sum, no MAX, and no le tag', async () => {
    const { metrics, json } = setUp();
    metrics.commitSeconds.observe({ task_type: 'EMAIL' }, 0.004);
    metrics.commitSeconds.observe({ task_type: 'EMAIL' }, 0.002);
    metrics.commitSeconds.observe({ task_type: 'PUSH' }, 0.5);
    const commit = toActuatorMetric(await json(METRIC.commitSeconds));
    expect(commit).toEqual({
      name: 'sluice_commit_seconds',
      description: 'Time to commit one group to PostgreSQL, round trip included.',
      baseUnit: 'seconds',
      measurements: [
        { statistic: 'COUNT', value: 3 },
        { statistic: 'TOTAL_TIME', value: expect.closeTo(0.506, 9) },
      ],
      availableTags: [{ tag: 'task_type', values: ['EMAIL', 'PUSH'] }],
    });
    expect(toActuatorMetric(await json(METRIC.commitSeconds), [{ key: 'task_type', value: 'PUSH' }])).toMatchObject({
      measurements: [
        { statistic: 'COUNT', value: 1 },
        { statistic: 'TOTAL_TIME', value: 0.5 },
      ],
    });
    // A bucket's le is no tag: filtering on it finds no count or total.
    expect(toActuatorMetric(await json(METRIC.commitSeconds), [{ key: 'le', value: '+Inf' }])).toBeUndefined();
  });

  it('gives a summary COUNT and TOTAL in its unit, without the quantile label', () => {
    expect(toActuatorMetric(summary)).toEqual({
      name: 'payload_size_bytes',
      description: 'Payload sizes.',
      baseUnit: 'bytes',
      measurements: [
        { statistic: 'COUNT', value: 4 },
        { statistic: 'TOTAL', value: 940 },
      ],
      availableTags: [{ tag: 'task_type', values: ['EMAIL', 'SMS'] }],
    });
  });

  it('gives a gauge one VALUE, summed over the matching label sets', async () => {
    const { registry, json } = setUp();
    createQueueGauge(registry, async () => [{ waiting: 12, active: 3, delayed: 1 }, { waiting: 4 }]);
    const jobs = await json(METRIC.queueJobs);
    expect(toActuatorMetric(jobs)).toMatchObject({
      baseUnit: null,
      measurements: [{ statistic: 'VALUE', value: 20 }],
      availableTags: [
        { tag: 'shard', values: ['0', '1'] },
        { tag: 'state', values: ['active', 'delayed', 'waiting'] },
      ],
    });
    expect(toActuatorMetric(jobs, [{ key: 'state', value: 'waiting' }])?.measurements).toEqual([
      { statistic: 'VALUE', value: 16 },
    ]);
  });

  it('counts 0 for a counter or histogram with no sample yet, and gives a gauge with none no VALUE', async () => {
    const { registry, json } = setUp();
    expect(toActuatorMetric(await json(METRIC.duplicatesSkipped))?.measurements).toEqual([
      { statistic: 'COUNT', value: 0 },
    ]);
    expect(toActuatorMetric(await json(METRIC.handlerSeconds))?.measurements).toEqual([
      { statistic: 'COUNT', value: 0 },
      { statistic: 'TOTAL_TIME', value: 0 },
    ]);
    createQueueGauge(registry, async () => [{}]);
    expect(toActuatorMetric(await json(METRIC.queueJobs))?.measurements).toEqual([]);
  });
});

describe('baseUnitOf', () => {
  it('reads the unit from the suffix, before any _total', () => {
    expect(baseUnitOf('sluice_task_latency_seconds')).toBe('seconds');
    expect(baseUnitOf('sluice_process_cpu_seconds_total')).toBe('seconds');
    expect(baseUnitOf('sluice_process_resident_memory_bytes')).toBe('bytes');
    expect(baseUnitOf('sluice_group_size')).toBeNull();
    expect(baseUnitOf('sluice_tasks_submitted_total')).toBeNull();
  });
});

describe('parseTagFilters', () => {
  it('takes one tag or many, split at the first colon', () => {
    expect(parseTagFilters(undefined)).toEqual({ ok: true, tags: [] });
    expect(parseTagFilters('outcome:failed')).toEqual({ ok: true, tags: [{ key: 'outcome', value: 'failed' }] });
    expect(parseTagFilters(['route:/api/tasks/:id', 'status:202'])).toEqual({
      ok: true,
      tags: [
        { key: 'route', value: '/api/tasks/:id' },
        { key: 'status', value: '202' },
      ],
    });
  });

  it('refuses a tag that is not KEY:VALUE', () => {
    expect(parseTagFilters('outcome')).toEqual({ ok: false, invalid: 'outcome' });
    expect(parseTagFilters(['outcome:failed', 'oops'])).toEqual({ ok: false, invalid: 'oops' });
  });
});
