import { describe, expect, it } from 'vitest';
import { createDemoCatalog } from '@sluice/tasks';
import {
  bulkBodies,
  bulkTaskLists,
  generatedTaskLists,
  generatedTasks,
  generatorRequestSizes,
  sampleTask,
  sampleTaskOf,
} from './sample-tasks.js';

describe('generatorRequestSizes', () => {
  it('splits the count over the requests, the first ones taking the remainder', () => {
    expect(generatorRequestSizes(10, 4)).toEqual([3, 3, 2, 2]);
    expect(generatorRequestSizes(100_000, 4)).toEqual([25_000, 25_000, 25_000, 25_000]);
  });

  it('asks for no more than the api generates in one request (100,000)', () => {
    expect(generatorRequestSizes(250_000, 1)).toEqual([83_334, 83_333, 83_333]);
  });
});

describe('generatedTasks', () => {
  const catalog = createDemoCatalog({ failureRate: 0, workMs: 0 });

  it("makes the api generator's tasks: the types take turns, the n-th carries its type's sample(n)", () => {
    const tasks = generatedTasks(4, ['EMAIL', 'SMS']);
    expect(tasks).toEqual([
      { taskType: 'EMAIL', payload: catalog.get('EMAIL')?.sample?.(0) },
      { taskType: 'SMS', payload: catalog.get('SMS')?.sample?.(1) },
      { taskType: 'EMAIL', payload: catalog.get('EMAIL')?.sample?.(2) },
      { taskType: 'SMS', payload: catalog.get('SMS')?.sample?.(3) },
    ]);
    expect(tasks[0]?.payload).toMatchObject({ to: 'user0@example.com', body: 'Sent by the Sluice load generator' });
  });

  it('gives payloads the demo catalog accepts', () => {
    for (const task of generatedTasks(3, ['EMAIL', 'SMS', 'PUSH'])) {
      expect(catalog.get(task.taskType)?.payload.safeParse(task.payload).success).toBe(true);
    }
  });
});

describe('generatedTaskLists', () => {
  it("cuts each request's tasks into the api's chunks of 1,000, numbered from 0 in every request", () => {
    const lists = generatedTaskLists(2_500, ['EMAIL'], 2);
    expect(lists.map((tasks) => tasks.length)).toEqual([1_000, 250, 1_000, 250]);
    expect(lists[2]?.[0]).toEqual(generatedTasks(1, ['EMAIL'])[0]);
    expect(lists[1]?.[249]).toEqual(generatedTasks(1_250, ['EMAIL'])[1_249]);
  });
});

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
