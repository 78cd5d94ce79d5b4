import { describe, expect, it } from 'vitest';
import { parsePageUrl, referrerHost } from './page-url.js';
import { PageUrlError } from './page-url-error.js';

describe('parsePageUrl', () => {
  it('reads the host, the path and the utm_ parameters of the query', () => {
    expect(
      parsePageUrl(
        'https://shop.example.com/shoes/red?utm_source=newsletter&utm_medium=email&utm_campaign=spring&id=7',
      ),
    ).toEqual({
      host: 'shop.example.com',
      path: '/shoes/red',
      utmSource: 'newsletter',
      utmMedium: 'email',
      utmCampaign: 'spring',
    });
  });

  it('lower-cases the host, keeps a port that is not the default, resolves dot segments and drops the fragment', () => {
    expect(parsePageUrl('HTTP://Blog.Example.COM:8080/a/../posts/1#comments')).toMatchObject({
      host: 'blog.example.com:8080',
      path: '/posts/1',
    });
    expect(parsePageUrl('https://shop.example.com:443/').host).toBe('shop.example.com');
  });

  it('gives null for a utm_ parameter that is missing or empty, and the first of repeated ones', () => {
    expect(parsePageUrl('https://shop.example.com/?utm_source=&utm_medium=a&utm_medium=b')).toMatchObject({
      utmSource: null,
      utmMedium: 'a',
      utmCampaign: null,
    });
  });

  it.each([
    ['a relative path', '/shoes', 'is not an absolute URL'],
    ['plain text', 'not a url', 'is not an absolute URL'],
    ['a javascript: URL', 'javascript:alert(1)', 'is not an http or https page (scheme javascript)'],
    ['an ftp URL', 'ftp://files.example.com/a', 'is not an http or https page (scheme ftp)'],
  ])('refuses %s with a PageUrlError that says why', (_, text, reason) => {
    expect(() => parsePageUrl(text)).toThrow(PageUrlError);
    expect(() => parsePageUrl(text)).toThrow(`page URL ${JSON.stringify(text)} ${reason}`);
  });
});

describe('referrerHost', () => {
  it('reads the host of a referrer, an app referrer included', () => {
    expect(referrerHost('https://www.google.com/search?q=shoes')).toBe('www.google.com');
    expect(referrerHost('android-app://com.google.android.gm/')).toBe('com.google.android.gm');
  });

  it('gives null for no referrer, and for one that does not parse rather than losing the view', () => {
    expect(referrerHost(undefined)).toBeNull();
    expect(referrerHost('')).toBeNull();
    expect(referrerHost('www.google.com')).toBeNull();
  });
});
