import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCatalog } from './catalog.js';
import { MAX_PARCEL_TASKS, planParcels } from './parcel-plan.js';
import { defineTaskType } from './task-type.js';

const handle = async (tasks: ReadonlyArray<unknown>) => tasks.map(() => ({ ok: true as const }));
const catalog = createCatalog([
  defineTaskType({ name: 'EMAIL', payload: z.object({ to: z.string() }), handle }),
  defineTaskType({ name: 'SMS', payload: z.object({ to: z.string() }), batch: { size: 2 }, handle }),
  defineTaskType({
    name: 'HOOK',
    payload: z.object({ customer: z.string() }),
    groupBy: (payload) => (payload.customer === 'bad' ? (undefined as unknown as string) : payload.customer),
    handle,
  }),
  defineTaskType({ name: 'HUGE', payload: z.object({}), batch: { size: 5_000 }, handle }),
]);

const email = (to: string) => ({ taskType: 'EMAIL', payload: { to } });
const sms = (to: string) => ({ taskType: 'SMS', payload: { to } });
const hook = (customer: string) => ({ taskType: 'HOOK', payload: { customer } });

describe('planParcels', () => {
  it("sorts tasks into classes by first appearance, keeps request order in each, and cuts each at its type's batch size", () => {
    const plan = planParcels(catalog, [email('a'), sms('1'), email('b'), sms('2'), sms('3')], 100);
    expect(plan).toEqual([
      { taskType: 'EMAIL', classIndex: 0, classSize: 2, lastClass: false, start: 0, positions: [0, 2] },
      { taskType: 'SMS', classIndex: 1, classSize: 3, lastClass: true, start: 0, positions: [1, 3] },
      { taskType: 'SMS', classIndex: 1, classSize: 3, lastClass: true, start: 2, positions: [4] },
    ]);
  });

  it('uses the default size for a type without its own, and never more than MAX_PARCEL_TASKS', () => {
    const emails = Array.from({ length: 7 }, (_, n) => email(String(n)));
    expect(planParcels(catalog, emails, 3).map((parcel) => parcel.positions)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    const huge = Array.from({ length: 2_500 }, () => ({ taskType: 'HUGE', payload: {} }));
    expect(planParcels(catalog, huge, 100).map((parcel) => parcel.positions.length)).toEqual([
      MAX_PARCEL_TASKS,
      MAX_PARCEL_TASKS,
      500,
    ]);
  });

  it('puts the tasks of a groupBy type in one class per key, and those it gave no key in a keyless class', () => {
    const plan = planParcels(catalog, [hook('acme'), hook('globex'), hook('acme'), hook('bad')], 100);
    expect(plan.map(({ key, positions }) => ({ key, positions }))).toEqual([
      { key: 'acme', positions: [0, 2] },
      { key: 'globex', positions: [1] },
      { key: undefined, positions: [3] },
    ]);
  });

  it('gives the same plan for the same body', () => {
    const body = [hook('x'), email('a'), sms('1'), hook('y'), sms('2'), sms('3')];
    expect(planParcels(catalog, body, 100)).toEqual(planParcels(catalog, structuredClone(body), 100));
  });
});
