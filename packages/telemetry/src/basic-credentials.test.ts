import { describe, expect, it } from 'vitest';
import { basicChallenge, basicCredentialsMatch, sameSecret } from './basic-credentials.js';

const header = (userAndPassword: string): string => `Basic ${Buffer.from(userAndPassword).toString('base64')}`;
const account = { username: 'prom', password: 'scrape:me' };

describe('basicCredentialsMatch', () => {
  it('lets the configured user and password through, a colon in the password included', () => {
    expect(basicCredentialsMatch(header('prom:scrape:me'), account)).toBe(true);
  });

  it('refuses a wrong user, a wrong password, another scheme and no header', () => {
    expect(basicCredentialsMatch(header('admin:scrape:me'), account)).toBe(false);
    expect(basicCredentialsMatch(header('prom:scrape'), account)).toBe(false);
    expect(basicCredentialsMatch(`Bearer ${'x'.repeat(20)}`, account)).toBe(false);
    expect(basicCredentialsMatch(header('no-colon'), account)).toBe(false);
    expect(basicCredentialsMatch(undefined, account)).toBe(false);
  });
});

describe('sameSecret', () => {
  it('tells equal from unequal strings of any lengths', () => {
    expect(sameSecret('key-aaaaaaaaaaaaaaaa', 'key-aaaaaaaaaaaaaaaa')).toBe(true);
    expect(sameSecret('key-aaaaaaaaaaaaaaaa', 'key-aaaaaaaaaaaaaaab')).toBe(false);
    expect(sameSecret('', 'key-aaaaaaaaaaaaaaaa')).toBe(false);
  });
});

describe('basicChallenge', () => {
  it('names the realm without quotes or backslashes that would break the header', () => {
    expect(basicChallenge('Sluice "metrics"\\')).toBe('Basic realm="Sluice metrics", charset="UTF-8"');
  });
});
