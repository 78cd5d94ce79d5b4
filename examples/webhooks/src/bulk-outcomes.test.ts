import { describe, expect, it } from 'vitest';
import type { ItemResult } from './bulk-api.js';
import { isTransientStatus, outcomesOf } from './bulk-outcomes.js';
import type { BulkReply } from './send-bulk.js';

const answered = (...results: ItemResult[]): BulkReply => ({ kind: 'answered', answer: { results } });

describe('isTransientStatus', () => {
  it('counts timeouts, too-early, rate limits and server errors as transient', () => {
    for (const status of [408, 425, 429, 500, 502, 503, 504])
      expect(isTransientStatus(status), String(status)).toBe(true);
  });

  it('counts every other 4xx as permanent', () => {
    for (const status of [400, 401, 403, 404, 410, 413, 422])
      expect(isTransientStatus(status), String(status)).toBe(false);
  });
});

describe('outcomesOf an answered bulk request', () => {
  it("completes an accepted item with the provider's delivery id and status", () => {
    expect(outcomesOf(['t1'], answered({ id: 't1', status: 202, deliveryId: 'dlv_1' }))).toEqual([
      { ok: true, result: { deliveryId: 'dlv_1', status: 202 } },
    ]);
  });

  it('retries an item refused with 503 or 429, and fails one rejected with 422 for good', () => {
    const outcomes = outcomesOf(
      ['t1', 't2', 't3'],
      answered(
        { id: 't1', status: 503, error: 'overloaded' },
        { id: 't2', status: 429, error: 'slow down' },
        { id: 't3', status: 422, error: 'no such endpoint' },
      ),
    );
    expect(outcomes).toEqual([
      { ok: false, error: 'the provider refused this item for now with 503: overloaded', retry: true },
      { ok: false, error: 'the provider refused this item for now with 429: slow down', retry: true },
      { ok: false, error: 'the provider rejected this item with 422: no such endpoint', retry: false },
    ]);
  });

  it('answers in the order of the tasks, whatever the order of the results', () => {
    const outcomes = outcomesOf(
      ['t1', 't2'],
      answered({ id: 't2', status: 410, error: 'gone' }, { id: 't1', status: 200, deliveryId: 'dlv_1' }),
    );
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false]);
  });

  it('retries an item the answer says nothing of', () => {
    expect(outcomesOf(['t1', 't2'], answered({ id: 't1', status: 202, deliveryId: 'dlv_1' }))[1]).toEqual({
      ok: false,
      error: "the provider's answer held no result for this item",
      retry: true,
    });
  });

  it('takes the first of two results for one item and ignores results for items it did not send', () => {
    const outcomes = outcomesOf(
      ['t1'],
      answered(
        { id: 'other', status: 202, deliveryId: 'dlv_9' },
        { id: 't1', status: 202, deliveryId: 'dlv_1' },
        { id: 't1', status: 500, error: 'late second thoughts' },
      ),
    );
    expect(outcomes).toEqual([{ ok: true, result: { deliveryId: 'dlv_1', status: 202 } }]);
  });
});

describe('outcomesOf a failed bulk request', () => {
  it('retries every item when the provider never answered (no connection, a timeout, a shutdown)', () => {
    const reason = 'the bulk request failed: fetch failed (connect ECONNREFUSED 127.0.0.1:9)';
    expect(outcomesOf(['t1', 't2'], { kind: 'failed', reason })).toEqual([
      { ok: false, error: reason, retry: true },
      { ok: false, error: reason, retry: true },
    ]);
  });

  it('retries every item when the provider answered the whole request with a 5xx or 429', () => {
    for (const status of [500, 503, 429]) {
      const outcomes = outcomesOf(['t1', 't2'], { kind: 'failed', status, reason: `answered ${status}` });
      expect(outcomes.every((outcome) => !outcome.ok && outcome.retry)).toBe(true);
    }
  });

  it('fails every item for good when the provider refused the whole request with another 4xx', () => {
    const outcomes = outcomesOf(['t1', 't2'], { kind: 'failed', status: 401, reason: 'answered 401: bad key' });
    expect(outcomes).toEqual([
      { ok: false, error: 'answered 401: bad key', retry: false },
      { ok: false, error: 'answered 401: bad key', retry: false },
    ]);
  });
});
