import { describe, expect, it } from 'vitest';
import { createDemoCatalog } from './demo-task-types.js';
import type { TaskInput } from './task-type.js';
import { testContext } from './test-context.js';

const input = <P>(payload: P, attempt = 1): TaskInput<P> => ({
  id: '019a5f0c-3b2e-7c41-9d0a-5e7f1c2b3a4d',
  payload,
  attempt,
  maxAttempts: 4,
  submittedAt: new Date(0),
});

describe('demo task types', () => {
  const catalog = createDemoCatalog({ failureRate: 0, workMs: 0 });
  const email = catalog.get('EMAIL')!;

  it('ships EMAIL, SMS and PUSH, each with a sample payload its own schema accepts', () => {
    expect(catalog.names).toEqual(['EMAIL', 'SMS', 'PUSH']);
    for (const name of catalog.names) {
      const type = catalog.get(name)!;
      expect(type.payload.safeParse(type.sample?.(42)).success).toBe(true);
    }
  });

  it('gives one outcome per task, in order', async () => {
    const outcomes = await email.handle(
      [input({ to: 'a@example.com' }), input({ to: 'b@example.com' })],
      testContext(),
    );
    expect(outcomes).toEqual([
      { ok: true, result: { messageId: 'email-5e7f1c2b3a4d', to: 'a@example.com' } },
      { ok: true, result: { messageId: 'email-5e7f1c2b3a4d', to: 'b@example.com' } },
    ]);
  });

  it('fails the first failAttempts attempts with a retryable error, then succeeds', async () => {
    const payload = { to: 'a@example.com', simulate: { failAttempts: 2 } };
    expect((await email.handle([input(payload, 2)], testContext()))[0]).toMatchObject({ ok: false, retry: true });
    expect((await email.handle([input(payload, 3)], testContext()))[0]).toMatchObject({ ok: true });
  });

  it('fails permanently without retry when asked to', async () => {
    const [outcome] = await email.handle(
      [input({ to: 'a@example.com', simulate: { fail: 'permanent' } })],
      testContext(),
    );
    expect(outcome).toEqual({ ok: false, error: 'simulated permanent failure', retry: false });
  });

  it("handles the seed's plain-text payload as the message itself", async () => {
    expect(await email.handle([input('test data')], testContext())).toEqual([
      { ok: true, result: { messageId: 'email-5e7f1c2b3a4d', to: null } },
    ]);
    expect(await catalog.get('SMS')!.handle([input('x'.repeat(161))], testContext())).toEqual([
      { ok: true, result: { messageId: 'sms-5e7f1c2b3a4d', segments: 2 } },
    ]);
    expect(await catalog.get('PUSH')!.handle([input('test data')], testContext())).toEqual([
      { ok: true, result: { messageId: 'push-5e7f1c2b3a4d' } },
    ]);
  });

  it('fails about DEMO_FAILURE_RATE of tasks, retryably', async () => {
    let n = 0;
    const flaky = createDemoCatalog({ failureRate: 0.5, workMs: 0, random: () => (n++ % 2 === 0 ? 0.1 : 0.9) });
    const outcomes = await flaky
      .get('SMS')!
      .handle(
        [input({ to: '+15555550100', message: 'a' }), input({ to: '+15555550100', message: 'b' })],
        testContext(),
      );
    expect(outcomes.map((o) => o.ok)).toEqual([false, true]);
  });
});
