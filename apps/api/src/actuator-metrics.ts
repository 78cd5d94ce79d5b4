/*
 * Spring Boot's `/actuator/metrics` documents, built from prom-client's JSON, for clients of the
 * Java service Sluice replaces. Pure: the route in routes/operations.ts reads the registry and
 * hands the metric here. The mapping follows what Micrometer's MetricsEndpoint answers:
 *
 *   counter   → COUNT                 (summed over the matching label sets)
 *   gauge     → VALUE                 (summed, as Spring merges the VALUE of several meters)
 *   histogram → COUNT, TOTAL_TIME     (TOTAL when the unit is not seconds)
 *   summary   → COUNT, TOTAL_TIME     (likewise: in seconds it is what Micrometer calls a timer)
 *
 * Spring also reports MAX for timers and distribution summaries. prom-client's buckets and
 * quantiles cannot give a true maximum, so MAX is left out rather than made up.
 */

/** One sample of a metric, as prom-client gives it. */
export interface PromSample {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number | undefined>>;
  /** `<name>_bucket`, `_sum` or `_count` for a histogram's or summary's samples. */
  readonly metricName?: string;
}

/** A metric as `registry.getMetricsAsJSON()` or `metric.get()` gives it: only what the mapping reads. */
export interface PromMetric {
  readonly name: string;
  readonly help: string;
  /**
   * `counter`, `gauge`, `histogram` or `summary` at run time (prom-client's type declarations say
   * a numeric enum, which its code does not use).
   */
  readonly type: string | number;
  readonly values: ReadonlyArray<PromSample>;
}

export type Statistic = 'COUNT' | 'TOTAL' | 'TOTAL_TIME' | 'VALUE';

/** The body of `GET /actuator/metrics/{name}`, as Spring Boot shapes it. */
export interface ActuatorMetric {
  readonly name: string;
  readonly description: string | null;
  readonly baseUnit: string | null;
  readonly measurements: ReadonlyArray<{ readonly statistic: Statistic; readonly value: number }>;
  readonly availableTags: ReadonlyArray<{ readonly tag: string; readonly values: ReadonlyArray<string> }>;
}

/** One `?tag=KEY:VALUE` of the query. */
export interface TagFilter {
  readonly key: string;
  readonly value: string;
}

/** Labels that index a histogram's buckets or a summary's quantiles: not tags of the metric. */
const STRUCTURAL_LABELS: ReadonlySet<string> = new Set(['le', 'quantile']);

/**
 * The unit named by the metric's suffix, `_total` aside (`process_cpu_seconds_total` counts
 * seconds): "seconds", "bytes", or null.
 *
 * @example
 * baseUnitOf('sluice_commit_seconds'); // 'seconds'
 */
export const baseUnitOf = (name: string): string | null => {
  const bare = name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
  if (bare.endsWith('_seconds')) return 'seconds';
  if (bare.endsWith('_bytes')) return 'bytes';
  return null;
};

/**
 * The `tag` query parameter, once or repeated, as filters. Like Spring, each must be `KEY:VALUE`,
 * split at the first colon; a value may itself hold colons.
 *
 * @example
 * parseTagFilters(['task_type:EMAIL', 'status:200']);
 * // { ok: true, tags: [{ key: 'task_type', value: 'EMAIL' }, { key: 'status', value: '200' }] }
 */
export const parseTagFilters = (
  query: unknown,
):
  | { readonly ok: true; readonly tags: ReadonlyArray<TagFilter> }
  | { readonly ok: false; readonly invalid: string } => {
  const given = query === undefined ? [] : Array.isArray(query) ? query : [query];
  const tags: TagFilter[] = [];
  for (const tag of given) {
    const colon = typeof tag === 'string' ? tag.indexOf(':') : -1;
    if (typeof tag !== 'string' || colon < 0) return { ok: false, invalid: String(tag) };
    tags.push({ key: tag.slice(0, colon), value: tag.slice(colon + 1) });
  }
  return { ok: true, tags };
};

const sum = (samples: ReadonlyArray<PromSample>): number => samples.reduce((total, sample) => total + sample.value, 0);

const matches = (sample: PromSample, tags: ReadonlyArray<TagFilter>): boolean =>
  tags.every(({ key, value }) => sample.labels[key] !== undefined && String(sample.labels[key]) === value);

/**
 * The actuator document of one metric, narrowed to the samples carrying every tag of `tags`, or
 * `undefined` when tags were given and no sample carries them all (Spring answers 404 then).
 * A counter, histogram or summary with no sample yet counts 0; a gauge with none has no VALUE.
 * `availableTags` lists each label of the matching samples with its values, sorted, leaving out
 * the tags filtered on, as Spring does.
 *
 * @example
 * toActuatorMetric(await registry.getSingleMetric('sluice_tasks_submitted_total')!.get(), [
 *   { key: 'task_type', value: 'EMAIL' },
 * ]);
 * // { name: 'sluice_tasks_submitted_total', description: 'Tasks accepted…', baseUnit: null,
 * //   measurements: [{ statistic: 'COUNT', value: 3 }], availableTags: [] }
 */
export const toActuatorMetric = (
  metric: PromMetric,
  tags: ReadonlyArray<TagFilter> = [],
): ActuatorMetric | undefined => {
  const baseUnit = baseUnitOf(metric.name);
  const total: Statistic = baseUnit === 'seconds' ? 'TOTAL_TIME' : 'TOTAL';
  const named = (suffix: string) => (sample: PromSample) => sample.metricName === `${metric.name}${suffix}`;
  let samples: ReadonlyArray<PromSample>;
  let measure: (matching: ReadonlyArray<PromSample>) => ActuatorMetric['measurements'];
  switch (metric.type) {
    case 'histogram':
    case 'summary': {
      // Buckets and quantiles carry no count or total of their own.
      samples = metric.values.filter((sample) => named('_count')(sample) || named('_sum')(sample));
      measure = (matching) => [
        { statistic: 'COUNT', value: sum(matching.filter(named('_count'))) },
        { statistic: total, value: sum(matching.filter(named('_sum'))) },
      ];
      break;
    }
    case 'counter':
      samples = metric.values;
      measure = (matching) => [{ statistic: 'COUNT', value: sum(matching) }];
      break;
    default:
      samples = metric.values;
      measure = (matching) => (matching.length === 0 ? [] : [{ statistic: 'VALUE', value: sum(matching) }]);
  }
  const matching = samples.filter((sample) => matches(sample, tags));
  if (tags.length > 0 && matching.length === 0) return undefined;

  const filtered = new Set(tags.map((tag) => tag.key));
  const tagValues = new Map<string, Set<string>>();
  for (const sample of matching) {
    for (const [tag, value] of Object.entries(sample.labels)) {
      if (value === undefined || STRUCTURAL_LABELS.has(tag) || filtered.has(tag)) continue;
      const values = tagValues.get(tag) ?? new Set<string>();
      values.add(String(value));
      tagValues.set(tag, values);
    }
  }
  const availableTags = [...tagValues]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([tag, values]) => ({ tag, values: [...values].sort() }));
  return {
    name: metric.name,
    description: metric.help === '' ? null : metric.help,
    baseUnit,
    measurements: measure(matching),
    availableTags,
  };
};
