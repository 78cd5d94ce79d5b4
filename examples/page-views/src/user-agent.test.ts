import { describe, expect, it } from 'vitest';
import { parseUserAgent } from './user-agent.js';

const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

describe('parseUserAgent', () => {
  it.each([
    ['Chrome on Windows', CHROME_WINDOWS, { browser: 'Chrome', browserMajor: 124, os: 'Windows', device: 'desktop' }],
    [
      'Edge, which also says Chrome and Safari',
      `${CHROME_WINDOWS} Edg/124.0.2478.67`,
      { browser: 'Edge', browserMajor: 124, os: 'Windows', device: 'desktop' },
    ],
    [
      'Safari on a Mac, by its Version/ token rather than the WebKit build',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15',
      { browser: 'Safari', browserMajor: 17, os: 'macOS', device: 'desktop' },
    ],
    [
      'Safari on an iPhone, which says "like Mac OS X"',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
      { browser: 'Safari', browserMajor: 17, os: 'iOS', device: 'mobile' },
    ],
    [
      'Chrome on an iPhone (CriOS)',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1',
      { browser: 'Chrome', browserMajor: 124, os: 'iOS', device: 'mobile' },
    ],
    [
      'Firefox on an Android phone',
      'Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0',
      { browser: 'Firefox', browserMajor: 125, os: 'Android', device: 'mobile' },
    ],
    [
      'Chrome on an Android tablet, which does not say Mobile',
      'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
      { browser: 'Chrome', browserMajor: 124, os: 'Android', device: 'tablet' },
    ],
    [
      'Samsung Internet, before the Chrome it also names',
      'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36',
      { browser: 'Samsung Internet', browserMajor: 24, os: 'Android', device: 'mobile' },
    ],
    [
      'Opera on Linux',
      `${CHROME_WINDOWS.replace('Windows NT 10.0; Win64; x64', 'X11; Linux x86_64')} OPR/109.0.0.0`,
      { browser: 'Opera', browserMajor: 109, os: 'Linux', device: 'desktop' },
    ],
    [
      'Googlebot, even in its smartphone disguise',
      'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.91 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      { browser: 'Googlebot', browserMajor: 2, os: 'Android', device: 'bot' },
    ],
    [
      'a headless browser',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36',
      { browser: 'HeadlessChrome', browserMajor: 124, os: 'Linux', device: 'bot' },
    ],
    ['curl', 'curl/8.5.0', { browser: 'Other', browserMajor: null, os: 'Other', device: 'unknown' }],
    ['no user agent at all', '', { browser: 'Other', browserMajor: null, os: 'Other', device: 'unknown' }],
  ])('reads %s', (_, text, expected) => {
    expect(parseUserAgent(text)).toEqual(expected);
  });
});
