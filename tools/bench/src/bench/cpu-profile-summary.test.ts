import { describe, expect, it } from 'vitest';
import { areaOf, summariseProfile, type CpuProfile } from './cpu-profile-summary.js';

describe('areaOf', () => {
  it('names the package, one of ours, Node itself or a V8 pseudo-frame', () => {
    expect(areaOf('file:///app/node_modules/ioredis/built/Redis.js', 'write')).toBe('ioredis');
    expect(areaOf('file:///app/node_modules/@msgpackr/x/index.js', 'pack')).toBe('@msgpackr/x');
    expect(areaOf('file:///work/main/packages/store/dist/sql/write-group.js', 'writeGroup')).toBe('@sluice/store');
    expect(areaOf('node:internal/streams/writable', 'write')).toBe('node');
    expect(areaOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(areaOf('', 'JSONStringify')).toBe('(native)');
  });
});

describe('summariseProfile', () => {
  const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)') },
      { id: 2, callFrame: frame('(idle)') },
      { id: 3, callFrame: frame('parse', 'file:///r/node_modules/pg/lib/result.js', 9) },
      { id: 4, callFrame: frame('(garbage collector)') },
    ],
    samples: [2, 3, 3, 4, 2],
    timeDeltas: [1_000, 2_000, 2_000, 1_000, 4_000],
  };

  it('sums self time per function and per area, idle time left out of busy', () => {
    const summary = summariseProfile(profile);
    expect(summary.totalMs).toBe(10);
    expect(summary.busyMs).toBe(5);
    expect(summary.functions[0]).toEqual({ name: 'parse pg/lib/result.js:10', ms: 4, share: 0.8 });
    expect(summary.areas.map((area) => area.name)).toEqual(['pg', '(garbage collector)']);
  });

  it('keeps only the largest entries', () => {
    expect(summariseProfile(profile, 1).areas).toHaveLength(1);
  });
});
