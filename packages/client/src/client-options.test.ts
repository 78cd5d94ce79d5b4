import { describe, expect, it } from 'vitest';
import { resolveClientOptions } from './client-options.js';
import { DEFAULT_RETRY } from './retry-policy.js';

describe('resolveClientOptions', () => {
  it('joins paths to baseUrl without a doubled slash, and keeps a proxy’s path prefix', () => {
    expect(resolveClientOptions({ baseUrl: 'http://127.0.0.1:8038/' }).baseUrl).toBe('http://127.0.0.1:8038');
    expect(resolveClientOptions({ baseUrl: 'https://example.com/sluice/' }).baseUrl).toBe('https://example.com/sluice');
  });

  it('refuses a baseUrl that is not an http(s) URL, naming it', () => {
    for (const baseUrl of ['localhost:8038', '/api', 'ftp://example.com', '']) {
      expect(() => resolveClientOptions({ baseUrl }), baseUrl).toThrow(TypeError);
      expect(() => resolveClientOptions({ baseUrl }), baseUrl).toThrow(/^baseUrl must be an http or https URL/);
    }
  });

  it('sends the apiKey as a bearer token, and no authorization without one', () => {
    expect(resolveClientOptions({ baseUrl: 'http://a', apiKey: 'k'.repeat(16) }).headers).toMatchObject({
      authorization: `Bearer ${'k'.repeat(16)}`,
    });
    expect(resolveClientOptions({ baseUrl: 'http://a', apiKey: undefined }).headers).not.toHaveProperty(
      'authorization',
    );
  });

  it('refuses an apiKey that could not be sent as a header, without echoing it', () => {
    expect(() => resolveClientOptions({ baseUrl: 'http://a', apiKey: 'secret key\n' })).toThrow(
      'apiKey must be visible ASCII characters without spaces',
    );
    expect(() => resolveClientOptions({ baseUrl: 'http://a', apiKey: '' })).toThrow(TypeError);
  });

  it('retries by default, and not at all with retry: false', () => {
    expect(resolveClientOptions({ baseUrl: 'http://a' }).retry).toEqual(DEFAULT_RETRY);
    expect(resolveClientOptions({ baseUrl: 'http://a', retry: false }).retry.attempts).toBe(1);
    expect(() => resolveClientOptions({ baseUrl: 'http://a', retry: { attempts: 0 } })).toThrow(RangeError);
  });
});
