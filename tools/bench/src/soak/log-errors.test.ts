import { describe, expect, it } from 'vitest';
import { completeLines, isErrorLine } from './log-errors.js';

describe('completeLines', () => {
  it('keeps a line without its newline for the next read', () => {
    const first = completeLines(Buffer.alloc(0), Buffer.from('{"level":"info","message":"a"}\n{"level":"err'));
    expect(first.lines).toEqual(['{"level":"info","message":"a"}']);
    expect(first.rest.toString()).toBe('{"level":"err');
    const second = completeLines(first.rest, Buffer.from('or","message":"b"}\n'));
    expect(second.lines).toEqual(['{"level":"error","message":"b"}']);
    expect(second.rest.length).toBe(0);
  });

  it('decodes a character split between two reads whole', () => {
    const bytes = Buffer.from('{"message":"café"}\n');
    const cut = bytes.indexOf(Buffer.from('é')) + 1;
    const first = completeLines(Buffer.alloc(0), bytes.subarray(0, cut));
    expect(first.lines).toEqual([]);
    expect(completeLines(first.rest, bytes.subarray(cut)).lines).toEqual(['{"message":"café"}']);
  });
});

describe('isErrorLine', () => {
  it.each([
    ['{"level":"error","message":"group commit failed","batchId":"x"}', true],
    ['{"level":"warn","message":"database unreachable: holding jobs"}', false],
    ['{"level":"info","message":"error budget: none"}', false],
    ['--- chaos +3.2s: worker-1 start (generation 1)', false],
    ['(node:123) Warning: something deprecated', false],
    ['{"level":"error", cut off', false],
    ['{"message":"no level"}', false],
  ])('%s → %s', (line, expected) => {
    expect(isErrorLine(line)).toBe(expected);
  });
});
