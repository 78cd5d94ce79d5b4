import { describe, expect, it } from 'vitest';
import { bulkBodies, bulkTaskLists, sampleTask, sampleTaskOf } from './sample-tasks.js';

describe('bulkTaskLists', () => {
  it('cuts the tasks into lists of the given size, numbered across them, the last holding the rest', () => {
    expect(bulkTaskLists(5, 2, 'SMS')).toEqual([
      [sampleTaskOf('SMS', 0), sampleTaskOf('SMS', 1)],
      [sampleTaskOf('SMS', 2), sampleTaskOf('SMS', 3)],
      [sampleTaskOf('SMS', 4)],
    ]);
  });
});

describe('bulkBodies', () => {
  it('splits the tasks into explicit lists of the given size, the last holding the rest', () => {
    const bodies = bulkBodies(2_500, 1_000, 'EMAIL');
    expect(bodies.map((body) => body.tasks)).toEqual([1_000, 1_000, 500]);
    const lists = bodies.map((body) => (JSON.parse(body.json) as { tasks: ReadonlyArray<unknown> }).tasks);
    expect(lists.map((tasks) => tasks.length)).toEqual([1_000, 1_000, 500]);
    expect(Object.keys(JSON.parse(bodies[0]?.json ?? '{}') as object)).toEqual(['tasks']);
  });

  it('numbers the tasks across the bodies, all of the one type', () => {
    const bodies = bulkBodies(4, 2, 'EMAIL');
    const tasks = bodies.flatMap((body) => (JSON.parse(body.json) as { tasks: ReadonlyArray<unknown> }).tasks);
    expect(tasks).toEqual([0, 1, 2, 3].map((n) => sampleTaskOf('EMAIL', n)));
  });

  it('makes no body for no tasks', () => {
    expect(bulkBodies(0, 1_000, 'EMAIL')).toEqual([]);
  });
});

describe('sampleTask', () => {
  it('lets the demo types take turns', () => {
    expect([0, 1, 2, 3].map((n) => sampleTask(n).taskType)).toEqual(['EMAIL', 'SMS', 'PUSH', 'EMAIL']);
    expect(sampleTask(4)).toEqual(sampleTaskOf('SMS', 4));
  });
});
