import { describe, expect, it } from 'vitest';
import { durationMs } from './compose-duration.js';

describe('durationMs', () => {
  it('reads seconds, minutes and milliseconds, alone or combined', () => {
    expect(durationMs('25s')).toBe(25_000);
    expect(durationMs('1m30s')).toBe(90_000);
    expect(durationMs('500ms')).toBe(500);
    expect(durationMs('1.5s')).toBe(1_500);
  });

  it('refuses a bare number or an unknown unit, naming the value', () => {
    expect(() => durationMs('25')).toThrow('not a compose duration: "25"');
    expect(() => durationMs('2d')).toThrow(/"2d"/);
  });
});
