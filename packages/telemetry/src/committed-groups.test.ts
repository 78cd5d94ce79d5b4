import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createCommittedGroupMetrics, type CommittedGroupCount } from './committed-groups.js';

const line = (text: string, series: string): string | undefined =>
  text.split('\n').find((candidate) => candidate.startsWith(`${series} `));

describe('createCommittedGroupMetrics', () => {
  it('turns committed group counts into a group-size histogram and flushes by trigger', async () => {
    const registry = new Registry();
    const rows: CommittedGroupCount[] = [
      { taskType: 'EMAIL', trigger: 'size', size: 100, groups: 4 },
      { taskType: 'EMAIL', trigger: 'timeout', size: 3, groups: 1 },
      { taskType: 'SMS', trigger: 'timeout', size: 50, groups: 2 },
    ];
    createCommittedGroupMetrics(registry, { read: async () => rows, taskTypes: ['EMAIL', 'SMS', 'PUSH'] });
    const text = await registry.metrics();

    expect(text).toContain('# TYPE sluice_group_size histogram');
    expect(line(text, 'sluice_group_size_count{task_type="EMAIL"}')).toMatch(/ 5$/);
    expect(line(text, 'sluice_group_size_sum{task_type="EMAIL"}')).toMatch(/ 403$/);
    expect(line(text, 'sluice_group_size_bucket{le="2",task_type="EMAIL"}')).toMatch(/ 0$/);
    expect(line(text, 'sluice_group_size_bucket{le="5",task_type="EMAIL"}')).toMatch(/ 1$/);
    expect(line(text, 'sluice_group_size_bucket{le="99",task_type="EMAIL"}')).toMatch(/ 1$/);
    expect(line(text, 'sluice_group_size_bucket{le="100",task_type="EMAIL"}')).toMatch(/ 5$/);
    expect(line(text, 'sluice_group_size_bucket{le="+Inf",task_type="EMAIL"}')).toMatch(/ 5$/);
    expect(line(text, 'sluice_group_size_sum{task_type="SMS"}')).toMatch(/ 100$/);
    // A known type with no groups yet reads 0 rather than being missing.
    expect(line(text, 'sluice_group_size_count{task_type="PUSH"}')).toMatch(/ 0$/);

    expect(text).toContain('sluice_group_flushes_total{task_type="EMAIL",trigger="size"} 4');
    expect(text).toContain('sluice_group_flushes_total{task_type="EMAIL",trigger="timeout"} 1');
    expect(text).toContain('sluice_group_flushes_total{task_type="SMS",trigger="timeout"} 2');
    expect(text).toContain('sluice_group_flushes_total{task_type="PUSH",trigger="pressure"} 0');
    expect(text).toContain('sluice_group_flushes_total{task_type="PUSH",trigger="shutdown"} 0');
  });

  it('reads the store once per scrape, for both metrics', async () => {
    const registry = new Registry();
    let reads = 0;
    createCommittedGroupMetrics(registry, {
      read: async () => {
        reads += 1;
        return [{ taskType: 'EMAIL', trigger: 'size', size: 100, groups: reads }];
      },
      taskTypes: ['EMAIL'],
    });
    await registry.metrics();
    expect(reads).toBe(1);
    const text = await registry.metrics();
    expect(reads).toBe(2);
    // Both come from the same snapshot.
    expect(text).toContain('sluice_group_flushes_total{task_type="EMAIL",trigger="size"} 2');
    expect(line(text, 'sluice_group_size_count{task_type="EMAIL"}')).toMatch(/ 2$/);
  });

  it('keeps serving the last counts, and says why, while the store cannot be read', async () => {
    const registry = new Registry();
    const errors: unknown[] = [];
    let down = false;
    createCommittedGroupMetrics(registry, {
      read: async () => {
        if (down) throw new Error('connect ECONNREFUSED');
        return [{ taskType: 'SMS', trigger: 'size', size: 100, groups: 9 }];
      },
      taskTypes: ['SMS'],
      onError: (error) => errors.push(error),
    });
    await registry.metrics();
    down = true;
    const text = await registry.metrics();
    expect(text).toContain('sluice_group_flushes_total{task_type="SMS",trigger="size"} 9');
    expect(line(text, 'sluice_group_size_count{task_type="SMS"}')).toMatch(/ 9$/);
    expect(errors).toHaveLength(1);
  });
});
