import { describe, expect, it } from 'vitest';
import {
  newParcelBase,
  PARCEL_ATTEMPT_LIMIT,
  PARCEL_INDEX_LIMIT,
  parcelFields,
  parcelJobIdOf,
  retryParcelId,
  withParcelFields,
} from './parcel-id.js';
import { isUuid } from './task-id.js';

describe('parcel ids', () => {
  it('makes a UUIDv7 base of the given time whose low 24 bits are 0, and task ids that differ from it only there', () => {
    const now = Date.UTC(2026, 11, 2);
    const base = newParcelBase(now);
    expect(base).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{6}000000$/);
    expect(Number.parseInt(base.replaceAll('-', '').slice(0, 12), 16)).toBe(now);
    const ids = [0, 1, 99, PARCEL_INDEX_LIMIT - 1].map((index) => withParcelFields(base, { index }));
    expect(ids[0]).toBe(base);
    for (const id of ids) {
      expect(isUuid(id)).toBe(true);
      expect(id.slice(0, 30)).toBe(base.slice(0, 30));
    }
    expect(ids.map((id) => parcelFields(id).index)).toEqual([0, 1, 99, PARCEL_INDEX_LIMIT - 1]);
  });

  it('gives two parcels made in one millisecond different bases', () => {
    const now = Date.now();
    const bases = new Set(Array.from({ length: 1_000 }, () => newParcelBase(now)));
    expect(bases.size).toBe(1_000);
  });

  it('keeps index, last flag and attempt apart, and round-trips them', () => {
    const base = newParcelBase();
    const id = withParcelFields(base, { index: 16_000, last: true, attempt: 101 });
    expect(parcelFields(id)).toEqual({ index: 16_000, last: true, attempt: 101 });
    expect(parcelFields(base)).toEqual({ index: 0, last: false, attempt: 0 });
  });

  it('refuses an index or attempt its field cannot hold', () => {
    const base = newParcelBase();
    expect(() => withParcelFields(base, { index: PARCEL_INDEX_LIMIT })).toThrow(RangeError);
    expect(() => withParcelFields(base, { index: -1 })).toThrow(RangeError);
    expect(() => withParcelFields(base, { attempt: PARCEL_ATTEMPT_LIMIT })).toThrow(RangeError);
  });

  it("leads from any task id of an unkeyed parcel to the parcel's job id", () => {
    const base = newParcelBase();
    for (const index of [0, 5, 999]) expect(parcelJobIdOf(withParcelFields(base, { index }))).toBe(base);
  });

  it('leads from a task of a class cut into parcels of a size to the job id of its parcel', () => {
    const base = newParcelBase();
    const task = withParcelFields(base, { index: 250, last: true });
    expect(parcelJobIdOf(task, 100)).toBe(withParcelFields(base, { index: 200 }));
    expect(parcelJobIdOf(withParcelFields(base, { index: 199 }), 100)).toBe(withParcelFields(base, { index: 100 }));
  });

  it('derives one retry parcel id per job and attempt, whichever retry parcel of the job it starts from', () => {
    const jobId = withParcelFields(newParcelBase(), { index: 200 });
    const second = retryParcelId(jobId, 2);
    expect(second).not.toBe(jobId);
    expect(parcelFields(second)).toEqual({ index: 200, last: false, attempt: 2 });
    expect(retryParcelId(second, 3)).toBe(retryParcelId(jobId, 3));
    expect(retryParcelId(jobId, 2)).toBe(second);
  });
});
