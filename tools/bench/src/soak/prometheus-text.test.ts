import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';

const SCRAPE = `# HELP sluice_nodejs_heap_size_used_bytes Process heap size used from Node.js in bytes.
# TYPE sluice_nodejs_heap_size_used_bytes gauge
sluice_nodejs_heap_size_used_bytes 41943040

# TYPE sluice_task_latency_seconds histogram
sluice_task_latency_seconds_bucket{le="0.05",task_type="EMAIL"} 3
sluice_task_latency_seconds_bucket{le="+Inf",task_type="EMAIL"} 12
sluice_http_request_duration_seconds_count{method="GET",route="/api/tasks/:id",status="200"} 7 1718000000000
odd_label{text="a \\"quoted\\" \\\\ value"} NaN
`;

describe('parsePrometheusText', () => {
  it('reads each sample with its labels and skips comments and blank lines', () => {
    const samples = parsePrometheusText(SCRAPE);
    expect(samples.map((sample) => sample.name)).toEqual([
      'sluice_nodejs_heap_size_used_bytes',
      'sluice_task_latency_seconds_bucket',
      'sluice_task_latency_seconds_bucket',
      'sluice_http_request_duration_seconds_count',
      'odd_label',
    ]);
    expect(samples[1]).toEqual({
      name: 'sluice_task_latency_seconds_bucket',
      labels: { le: '0.05', task_type: 'EMAIL' },
      value: 3,
    });
  });

  it('reads +Inf, NaN, escaped quotes and a trailing timestamp', () => {
    const samples = parsePrometheusText(SCRAPE);
    expect(samples[3]?.value).toBe(7);
    expect(samples[3]?.labels.route).toBe('/api/tasks/:id');
    expect(samples[4]?.labels.text).toBe('a "quoted" \\ value');
    expect(samples[4]?.value).toBeNaN();
    expect(parsePrometheusText('x_bucket{le="+Inf"} +Inf')[0]?.value).toBe(Number.POSITIVE_INFINITY);
  });

  it('finds a value by name, or nothing for a name the scrape lacks', () => {
    const samples = parsePrometheusText(SCRAPE);
    expect(sampleValue(samples, 'sluice_nodejs_heap_size_used_bytes')).toBe(41_943_040);
    expect(sampleValue(samples, 'nodejs_heap_size_used_bytes')).toBeUndefined();
  });
});
