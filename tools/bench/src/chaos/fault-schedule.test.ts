import { describe, expect, it } from 'vitest';
import { countByKind, planFaults, type FaultScheduleInput } from './fault-schedule.js';

const base: FaultScheduleInput = {
  tasks: 30_000,
  rate: 500,
  workers: 3,
  killEveryMs: 5_000,
  maxKills: Number.MAX_SAFE_INTEGER,
  restartAfterMs: 1_000,
  redisRestartAtMs: 18_000,
  redisDownMs: 2_000,
  pgOutageAtMs: 27_000,
  pgOutageMs: 12_000,
  seed: 42,
};

describe('planFaults', () => {
  it('kills a worker every interval while the load lasts, never at its very end', () => {
    const kills = planFaults(base).filter((fault) => fault.kind === 'worker-kill');
    // 60 s of load: kills at 5, 10, … 55 s.
    expect(kills.map((fault) => fault.atMs)).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55].map((s) => s * 1000));
  });

  it('gives the defaults at least ten worker kills, one Redis restart and one PostgreSQL outage of 10 s or more', () => {
    const plan = planFaults(base);
    expect(countByKind(plan)).toEqual({ 'worker-kill': 11, 'redis-restart': 1, 'pg-outage': 1 });
    expect(plan.find((fault) => fault.kind === 'pg-outage')).toMatchObject({ downMs: 12_000 });
  });

  it('draws the same victims from the same seed, and others from another', () => {
    const victims = (seed: number): ReadonlyArray<number> =>
      planFaults({ ...base, seed }).flatMap((fault) => (fault.kind === 'worker-kill' ? [fault.worker] : []));
    expect(victims(42)).toEqual(victims(42));
    expect(victims(42)).not.toEqual(victims(43));
    expect(victims(42).every((worker) => worker >= 0 && worker < 3)).toBe(true);
    expect(new Set(victims(42)).size).toBeGreaterThan(1);
  });

  it('stops at the most kills asked for', () => {
    expect(countByKind(planFaults({ ...base, maxKills: 1 }))['worker-kill']).toBe(1);
  });

  it('plans no kills when the interval is 0, and no one-off fault that is off', () => {
    const plan = planFaults({ ...base, killEveryMs: 0, redisRestartAtMs: undefined, pgOutageAtMs: undefined });
    expect(plan).toEqual([]);
  });

  it('lists the faults in time order', () => {
    const times = planFaults(base).map((fault) => fault.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
