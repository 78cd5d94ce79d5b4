import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';
import { zeroApiSeries, zeroWorkerSeries } from './zero-series.js';

describe('zero series', () => {
  it('exposes every outcome and duplicates counter of each task type at 0 before anything happened', async () => {
    const metrics = createMetrics(new Registry(), { defaults: false });
    zeroWorkerSeries(metrics, ['EMAIL', 'SMS']);
    const text = await metrics.registry.metrics();
    for (const type of ['EMAIL', 'SMS']) {
      for (const outcome of ['completed', 'failed', 'retried', 'expired']) {
        expect(text).toContain(`sluice_tasks_finished_total{task_type="${type}",outcome="${outcome}"} 0`);
      }
      expect(text).toContain(`sluice_duplicates_skipped_total{task_type="${type}"} 0`);
    }
  });

  it('leaves counts that already happened as they are', async () => {
    const metrics = createMetrics(new Registry(), { defaults: false });
    metrics.tasksSubmitted.inc({ task_type: 'PUSH' }, 7);
    zeroApiSeries(metrics, ['EMAIL', 'PUSH']);
    const text = await metrics.registry.metrics();
    expect(text).toContain('sluice_tasks_submitted_total{task_type="PUSH"} 7');
    expect(text).toContain('sluice_tasks_submitted_total{task_type="EMAIL"} 0');
  });
});
