import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCatalog } from './catalog.js';
import { keyedParcelIds } from './keyed-parcels.js';
import { parcelFields, parcelJobIdOf } from './parcel-id.js';
import { planParcels } from './parcel-plan.js';
import { defineTaskType } from './task-type.js';

const handle = async (tasks: ReadonlyArray<unknown>) => tasks.map(() => ({ ok: true as const }));
const catalog = createCatalog([
  defineTaskType({ name: 'EMAIL', payload: z.object({ to: z.string() }), handle }),
  defineTaskType({ name: 'SMS', payload: z.object({ to: z.string() }), handle }),
]);
const email = (to: string) => ({ taskType: 'EMAIL', payload: { to } });
const sms = (to: string) => ({ taskType: 'SMS', payload: { to } });

const idsOf = (
  body: ReadonlyArray<{ taskType: string; payload: unknown }>,
  size = 100,
  key = 'import-77',
  caller?: string,
) => keyedParcelIds(key, planParcels(catalog, body, size), body.length, caller);

describe('keyedParcelIds', () => {
  it('names the same tasks and parcel jobs for the same body, and others for another key or caller', () => {
    const body = [email('a'), sms('1'), email('b')];
    expect(idsOf(body)).toEqual(idsOf(structuredClone(body)));
    expect(idsOf(body, 100, 'other').own).not.toContain(idsOf(body).own[0]);
    expect(idsOf(body, 100, 'import-77', 'key:1').own).not.toContain(idsOf(body).own[0]);
  });

  it('gives every task a distinct id in request order, and leads from each to its parcel job by the batch size', () => {
    const body = Array.from({ length: 250 }, (_, n) => (n % 5 === 0 ? sms(String(n)) : email(String(n))));
    const { own, jobIds } = idsOf(body);
    expect(new Set(own).size).toBe(250);
    const plan = planParcels(catalog, body, 100);
    plan.forEach((parcel, p) => {
      for (const position of parcel.positions) expect(parcelJobIdOf(own[position] as string, 100)).toBe(jobIds[p]);
    });
    // Class places: the 200 EMAILs are numbered 0…199, the last one flagged.
    expect(parcelFields(own[249] as string)).toEqual({ index: 199, last: true, attempt: 0 });
  });

  it('keeps task ids when the batch size changes (only the parcels change)', () => {
    const body = Array.from({ length: 30 }, (_, n) => email(String(n)));
    expect(idsOf(body, 10).own).toEqual(idsOf(body, 100).own);
    expect(idsOf(body, 10).jobIds).toHaveLength(3);
  });

  it.each([
    ['one task more in a class', [email('a'), email('b'), sms('1')], [email('a'), email('b'), email('c'), sms('1')]],
    ['one task fewer in a class', [email('a'), email('b'), sms('1')], [email('a'), sms('1')]],
    [
      'one class more',
      [email('a'), sms('1')],
      [email('a'), sms('1'), { taskType: 'EMAIL', payload: { to: 'x' } }, sms('2')],
    ],
    ['a class fewer', [email('a'), sms('1')], [email('a')]],
    ['a class more at the end', [email('a')], [email('a'), sms('1')]],
  ])('finds %s: a task of the first body is among the foreign ids of the second', (_, first, second) => {
    const stored = new Set(idsOf(first).own);
    const again = idsOf(second);
    const clash = again.foreign.some((id) => stored.has(id)) || again.own.some((id) => stored.has(id));
    expect(clash).toBe(true);
  });
});
