// `npm run fake-provider`: the fake webhook provider on FAKE_PROVIDER_PORT (8090), until Ctrl-C.
import { readFakeProviderPort } from '../env.js';
import { startFakeProvider } from '../fake-provider.js';

const provider = await startFakeProvider({
  port: readFakeProviderPort(process.env),
  onRequest: ({ customerId, status, items, results }) => {
    const answers = results.map((result) => `${result.id} ${result.status}`).join(', ');
    console.log(`bulk request for ${customerId}: ${items.length} item(s), answered ${status}; ${answers}`);
  },
});
console.log(`fake provider listening on ${provider.url} (WEBHOOKS_PROVIDER_URL=${provider.url})`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void provider.close());
