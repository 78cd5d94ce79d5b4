import { describe, expect, it } from 'vitest';
import {
  API_NODE_OPTIONS,
  missingNodeFlags,
  SERVICE_COMMANDS,
  untunedService,
  WORKER_NODE_OPTIONS,
} from './service-node-options.js';

describe('missingNodeFlags', () => {
  it('names every tuned flag of a process started with none', () => {
    expect(missingNodeFlags(WORKER_NODE_OPTIONS, [], '')).toEqual([
      '--max-old-space-size=384',
      '--max-semi-space-size=32',
    ]);
  });

  it('finds the flags on the command line or in NODE_OPTIONS', () => {
    expect(missingNodeFlags(WORKER_NODE_OPTIONS, ['--max-old-space-size=384'], '--max-semi-space-size=32')).toEqual([]);
    expect(missingNodeFlags(API_NODE_OPTIONS, [], '  --max-old-space-size=384  ')).toEqual([]);
  });

  it("takes the operator's own value for a flag as present", () => {
    expect(missingNodeFlags(WORKER_NODE_OPTIONS, ['--max-old-space-size=1024'], '')).toEqual([
      '--max-semi-space-size=32',
    ]);
  });

  it("reads Node's underscore spelling of a flag as the same flag", () => {
    expect(missingNodeFlags(API_NODE_OPTIONS, ['--max_old_space_size=384'], '')).toEqual([]);
  });
});

describe('SERVICE_COMMANDS', () => {
  it('start each service with the flags it is tuned for', () => {
    expect(SERVICE_COMMANDS.api).toBe(`node ${API_NODE_OPTIONS} apps/api/dist/main.js`);
    expect(SERVICE_COMMANDS.worker).toBe(`node ${WORKER_NODE_OPTIONS} apps/worker/dist/main.js`);
  });
});

describe('untunedService', () => {
  it('gives the missing flags and the command that starts the service with them', () => {
    expect(untunedService('worker', [], '--max-old-space-size=384')).toEqual({
      missing: ['--max-semi-space-size=32'],
      command: SERVICE_COMMANDS.worker,
    });
  });

  it('says nothing of a service started as tuned', () => {
    expect(untunedService('api', [], API_NODE_OPTIONS)).toBeUndefined();
  });
});
