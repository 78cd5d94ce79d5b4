/**
 * Where a process spent its time, from a `node --cpu-prof` profile: self time by function and
 * by area (a package under node_modules, one of ours, Node's own code, the garbage collector).
 * Pure: reading the files is the caller's business.
 */

/** The parts of V8's `.cpuprofile` format this reads. */
export interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }>;
  /** The node sampled at each tick. */
  readonly samples: ReadonlyArray<number>;
  /** µs since the previous sample, one per sample. */
  readonly timeDeltas: ReadonlyArray<number>;
}

export interface SelfTime {
  readonly name: string;
  readonly ms: number;
  /** Of all sampled time. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Busy time only: idle ticks left out. */
  readonly busyMs: number;
  readonly functions: ReadonlyArray<SelfTime>;
  readonly areas: ReadonlyArray<SelfTime>;
}

/**
 * The area a script belongs to: `bullmq`, `@sluice/store`, `node` (its own library), or V8's
 * pseudo-frames such as `(garbage collector)`.
 *
 * @example
 * areaOf('file:///app/node_modules/ioredis/built/Redis.js', 'x'); // 'ioredis'
 */
export const areaOf = (url: string, functionName: string): string => {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1] !== undefined) return modules[1];
  const ours = /\/(apps|packages|tools)\/([^/]+)\//.exec(url);
  if (ours?.[2] !== undefined) return `@sluice/${ours[2]}`;
  return url;
};

const shortUrl = (url: string): string =>
  url.replace(/^.*node_modules\//, '').replace(/^.*\/(apps|packages|tools)\//, '$1/');

const top = (totals: ReadonlyMap<string, number>, all: number, limit: number): ReadonlyArray<SelfTime> =>
  [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, us]) => ({ name, ms: us / 1000, share: all === 0 ? 0 : us / all }));

/**
 * Sums self time per function and per area, and keeps the `limit` largest of each.
 *
 * @example
 * const summary = summariseProfile(JSON.parse(text) as CpuProfile, 15);
 */
export const summariseProfile = (profile: CpuProfile, limit = 15): ProfileSummary => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, index) => {
    const us = profile.timeDeltas[index] ?? 0;
    const frame = byId.get(id);
    if (frame === undefined) return;
    total += us;
    if (frame.functionName === '(idle)') {
      idle += us;
      return;
    }
    const name =
      frame.url === ''
        ? frame.functionName
        : `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    const area = areaOf(frame.url, frame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
  });
  const busy = total - idle;
  return {
    totalMs: total / 1000,
    busyMs: busy / 1000,
    functions: top(functions, busy, limit),
    areas: top(areas, busy, limit),
  };
};
