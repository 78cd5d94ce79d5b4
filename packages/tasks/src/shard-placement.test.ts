import { describe, expect, it } from 'vitest';
import { placementProblem } from './shard-placement.js';

describe('placementProblem', () => {
  it('accepts shards spread as evenly as their count allows, and one server', () => {
    expect(placementProblem([{ server: 'redis', shards: [0, 1, 2] }])).toBeUndefined();
    const even = [
      { server: 'a:6379', shards: [0, 1] },
      { server: 'b:6379', shards: [2, 3] },
      { server: 'c:6379', shards: [4] },
    ];
    expect(placementProblem(even)).toBeUndefined();
  });

  it('names the counts when one primary holds two shards more than another', () => {
    const uneven = [
      { server: 'a:6379', shards: [0, 1, 2] },
      { server: 'b:6379', shards: [3] },
      { server: 'c:6379', shards: [] },
    ];
    expect(placementProblem(uneven)).toMatch(/^queue shards sit unevenly on the Redis primaries \(3, 1, 0\)/);
  });
});
