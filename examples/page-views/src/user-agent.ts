/** The kinds of device a page view is counted under (the `device` column's CHECK lists the same). */
export const DEVICE_TYPES = Object.freeze(['desktop', 'mobile', 'tablet', 'bot', 'unknown'] as const);
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** What a page-view report groups by: browser family and major version, operating system, device. */
export type UserAgent = {
  /** `Chrome`, `Safari`, `Firefox`, `Edge`, `Opera`, `Samsung Internet`, a crawler's own name, or `Other`. */
  readonly browser: string;
  /** The browser's major version, `null` when the text gives none. */
  readonly browserMajor: number | null;
  /** `Windows`, `macOS`, `iOS`, `Android`, `ChromeOS`, `Linux`, or `Other`. */
  readonly os: string;
  readonly device: DeviceType;
};

/**
 * Browsers in the order they must be tried: each claims the tokens of those it grew from (Edge and
 * Opera send `Chrome/` and `Safari/`, Chrome sends `Safari/`), so the first match is the real one.
 * `CriOS`, `FxiOS` and `EdgiOS` are the iOS builds, which must use Safari's engine and say so.
 */
const BROWSERS: ReadonlyArray<readonly [family: string, pattern: RegExp]> = [
  ['Edge', /\bEdg(?:e|A|iOS)?\/(\d+)/],
  ['Opera', /\bOPR\/(\d+)/],
  ['Samsung Internet', /\bSamsungBrowser\/(\d+)/],
  ['Firefox', /\b(?:Firefox|FxiOS)\/(\d+)/],
  ['Chrome', /\b(?:Chrome|CriOS)\/(\d+)/],
  // Safari gives its own version as `Version/17.4`; `Safari/605.1.15` is WebKit's build number.
  ['Safari', /\bVersion\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\//],
];

/**
 * Crawlers name themselves with a token ending in bot, crawler or spider (`Googlebot/2.1`,
 * `bingbot/2.0`, `AhrefsBot/7.0`); a headless browser is a script, not a visitor, too.
 */
const BOT = /\b([A-Za-z][\w-]*?(?:bot|crawler|spider)|HeadlessChrome)\b(?:\/(\d+))?/i;

/** Systems in the order they must be tried: iOS says `like Mac OS X`, Android runs on Linux. */
const SYSTEMS: ReadonlyArray<readonly [os: string, pattern: RegExp]> = [
  ['Windows', /\bWindows\b/],
  ['iOS', /\b(?:iPhone|iPad|iPod)\b/],
  ['Android', /\bAndroid\b/],
  ['ChromeOS', /\bCrOS\b/],
  ['macOS', /\bMacintosh\b|\bMac OS X\b/],
  ['Linux', /\bLinux\b/],
];

const DESKTOP_SYSTEMS: ReadonlySet<string> = new Set(['Windows', 'macOS', 'ChromeOS', 'Linux']);

const major = (digits: string | undefined): number | null => (digits === undefined ? null : Number(digits));

const deviceOf = (text: string, os: string): DeviceType => {
  // An Android tablet is an Android device that does not say Mobile; Firefox says Tablet outright.
  if (/\biPad\b|\bTablet\b/.test(text) || (os === 'Android' && !/\bMobile\b/.test(text))) return 'tablet';
  if (/\bMobi|\biPhone\b|\biPod\b/.test(text)) return 'mobile';
  // iPadOS's Safari asks for desktop pages with a Mac's text: it is counted as a Mac, as any
  // server-side parser must, since nothing in the text tells them apart.
  return DESKTOP_SYSTEMS.has(os) ? 'desktop' : 'unknown';
};

/**
 * Reads a `User-Agent` header the way a page-view report needs it: browser family and major
 * version, operating system, device type. A deliberately small parser: it knows the browsers
 * that make up nearly all traffic and calls the rest `Other`, rather than carry a database of
 * thousands of patterns.
 *
 * @example
 * parseUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1');
 * // { browser: 'Safari', browserMajor: 17, os: 'iOS', device: 'mobile' }
 */
export const parseUserAgent = (text: string): UserAgent => {
  const os = SYSTEMS.find(([, pattern]) => pattern.test(text))?.[0] ?? 'Other';
  const bot = BOT.exec(text);
  if (bot !== null) return { browser: bot[1] ?? 'Bot', browserMajor: major(bot[2]), os, device: 'bot' };
  for (const [family, pattern] of BROWSERS) {
    const match = pattern.exec(text);
    if (match !== null) return { browser: family, browserMajor: major(match[1]), os, device: deviceOf(text, os) };
  }
  return { browser: 'Other', browserMajor: null, os, device: deviceOf(text, os) };
};
