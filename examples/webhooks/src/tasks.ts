// The task module the api and the workers load: `sluice worker --tasks dist/tasks.js`.
import { readProviderUrl } from './env.js';
import { createWebhookTaskType } from './webhook-task-type.js';

// Read as the module loads: a process without WEBHOOKS_PROVIDER_URL stops at start, naming it.
export default [createWebhookTaskType({ providerUrl: readProviderUrl(process.env) })];
