import { describe, expect, it } from 'vitest';
import { readDatabaseUrl, readFakeProviderPort, readProviderUrl } from './env.js';

describe('readProviderUrl', () => {
  it('takes an http(s) URL and drops a trailing slash, so paths can be appended', () => {
    expect(readProviderUrl({ WEBHOOKS_PROVIDER_URL: 'http://127.0.0.1:8090/' })).toBe('http://127.0.0.1:8090');
    expect(readProviderUrl({ WEBHOOKS_PROVIDER_URL: 'https://api.provider.example/v2' })).toBe(
      'https://api.provider.example/v2',
    );
  });

  it('refuses a missing or empty variable, naming it and saying what to set', () => {
    for (const env of [{}, { WEBHOOKS_PROVIDER_URL: '  ' }]) {
      expect(() => readProviderUrl(env)).toThrow(
        "WEBHOOKS_PROVIDER_URL is not set: the http(s) base URL of the webhook provider's API",
      );
    }
  });

  it('refuses a value that is not an http(s) URL, quoting it', () => {
    expect(() => readProviderUrl({ WEBHOOKS_PROVIDER_URL: 'ftp://provider.example' })).toThrow(
      /^WEBHOOKS_PROVIDER_URL must be the http\(s\) base URL .*; got "ftp:\/\/provider.example"/,
    );
  });
});

describe('readDatabaseUrl and readFakeProviderPort', () => {
  it("take a postgres URL that defaults to Sluice's, and a port that defaults to 8090", () => {
    expect(readDatabaseUrl({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/sluice' })).toBe(
      'postgres://postgres@127.0.0.1:5432/sluice',
    );
    expect(readDatabaseUrl({})).toBe('postgres://postgres@127.0.0.1:5432/sluice');
    expect(readFakeProviderPort({})).toBe(8090);
    expect(readFakeProviderPort({ FAKE_PROVIDER_PORT: '0' })).toBe(0);
  });

  it('refuse an empty or non-postgres DATABASE_URL and a port out of range', () => {
    expect(() => readDatabaseUrl({ DATABASE_URL: '' })).toThrow(/^DATABASE_URL is not set/);
    expect(() => readDatabaseUrl({ DATABASE_URL: 'mysql://db/sluice' })).toThrow(/^DATABASE_URL must be a postgres:/);
    expect(() => readFakeProviderPort({ FAKE_PROVIDER_PORT: '70000' })).toThrow(/^FAKE_PROVIDER_PORT must be a port/);
  });
});
