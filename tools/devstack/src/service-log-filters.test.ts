import { describe, expect, it } from 'vitest';
import { createPostgresLineFilter, redisLineMatters } from './service-log-filters.js';

describe('redisLineMatters', () => {
  it('shows warnings and hides notices', () => {
    expect(redisLineMatters('42:M 28 Nov 2025 12:00:00.000 # Disk is full, cannot write the AOF')).toBe(true);
    expect(redisLineMatters('42:M 28 Nov 2025 12:00:00.000 * Ready to accept connections tcp')).toBe(false);
  });

  it('hides the warnings Redis prints on every start and stop', () => {
    expect(redisLineMatters('42:C 28 Nov 2025 12:00:00.000 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo')).toBe(
      false,
    );
    expect(redisLineMatters('42:M 28 Nov 2025 12:00:00.000 # User requested shutdown...')).toBe(false);
  });

  it('shows lines in any other shape, such as a fatal configuration error', () => {
    expect(redisLineMatters('*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***')).toBe(true);
  });
});

describe('createPostgresLineFilter', () => {
  it('shows errors with their detail and hides routine messages with theirs', () => {
    const keep = createPostgresLineFilter();
    const lines = [
      '2025-11-28 12:00:00.000 UTC [7] LOG:  checkpoint starting: time',
      '2025-11-28 12:00:00.000 UTC [7] DETAIL:  routine detail',
      '2025-11-28 12:00:01.000 UTC [9] ERROR:  duplicate key value violates unique constraint "tasks_pkey"',
      '2025-11-28 12:00:01.000 UTC [9] DETAIL:  Key (id)=(1) already exists.',
      '2025-11-28 12:00:01.000 UTC [9] STATEMENT:  INSERT INTO tasks',
      '\tVALUES (1)',
      '2025-11-28 12:00:02.000 UTC [7] LOG:  database system is ready to accept connections',
    ];
    expect(lines.filter(keep)).toEqual(lines.slice(2, 6));
  });
});
