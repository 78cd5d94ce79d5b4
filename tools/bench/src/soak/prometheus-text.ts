/** One sample line of the Prometheus text format: `name{label="value"} 12.5`. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

const unescapeLabel = (text: string): string =>
  text.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));

/** `+Inf`, `-Inf` and `NaN` as the format writes them, else a number. */
const sampleNumber = (text: string): number =>
  text === '+Inf' ? Number.POSITIVE_INFINITY : text === '-Inf' ? Number.NEGATIVE_INFINITY : Number(text);

/**
 * The samples of a `/metrics` answer (the text exposition format prom-client writes). Comments
 * (`# HELP`, `# TYPE`) and lines that are not samples are skipped.
 *
 * @example
 * parsePrometheusText('sluice_nodejs_heap_size_used_bytes 1048576\n')[0]?.value; // 1048576
 */
export const parsePrometheusText = (text: string): ReadonlyArray<PromSample> => {
  const samples: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (match?.[1] === undefined || match[3] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(LABEL)) {
      if (label[1] !== undefined && label[2] !== undefined) labels[label[1]] = unescapeLabel(label[2]);
    }
    samples.push({ name: match[1], labels, value: sampleNumber(match[3]) });
  }
  return samples;
};

/**
 * The value of the sample called `name` (the first, when labels make several), or `undefined`.
 *
 * @example
 * sampleValue(parsePrometheusText(text), 'sluice_nodejs_eventloop_lag_p99_seconds'); // 0.012
 */
export const sampleValue = (samples: ReadonlyArray<PromSample>, name: string): number | undefined =>
  samples.find((sample) => sample.name === name)?.value;
