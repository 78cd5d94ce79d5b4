import type { HandlerContext, TaskInput } from '@sluice/tasks';
import { describe, expect, it } from 'vitest';
import { pageView } from './page-view.js';
import type { PageViewPayload } from './page-view-payload.js';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

const view = (overrides: Partial<PageViewPayload> = {}): PageViewPayload =>
  pageView.payload.parse({
    site: 'shop',
    visitorId: 'visitor-1',
    url: 'https://shop.example.com/shoes?utm_source=newsletter',
    referrer: 'https://www.google.com/',
    userAgent: IPHONE,
    viewedAt: '2026-03-01T12:00:00.000Z',
    ...overrides,
  });

const task = (id: string, payload: PageViewPayload): TaskInput<PageViewPayload> => ({
  id,
  payload,
  attempt: 1,
  maxAttempts: 4,
  submittedAt: new Date('2026-03-01T12:00:01.000Z'),
});

const context: HandlerContext = {
  signal: new AbortController().signal,
  logger: console,
  group: { key: 'shop', trigger: 'size' },
};

describe('PAGE_VIEW', () => {
  it('answers each view with its parsed URL, referrer and user agent', async () => {
    expect(await pageView.handle([task('t1', view())], context)).toEqual([
      {
        ok: true,
        result: {
          host: 'shop.example.com',
          path: '/shoes',
          utmSource: 'newsletter',
          utmMedium: null,
          utmCampaign: null,
          referrerHost: 'www.google.com',
          browser: 'Safari',
          browserMajor: 17,
          os: 'iOS',
          device: 'mobile',
        },
      },
    ]);
  });

  it('fails a view whose URL does not parse for good, and only that view of the group', async () => {
    const outcomes = await pageView.handle(
      [task('t1', view()), task('t2', view({ url: 'shop.example.com/shoes' })), task('t3', view({ referrer: '' }))],
      context,
    );
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toEqual({
      ok: false,
      error: 'page URL "shop.example.com/shoes" is not an absolute URL',
      retry: false,
    });
  });

  it("writes one page_views row per completed view, from the task's payload and the handler's result", async () => {
    const input = task('0190a6b4-7a1e-7c3e-9d2f-3b1c2d4e5f60', view());
    const [outcome] = await pageView.handle([input], context);
    if (outcome?.ok !== true) throw new Error('expected the view to complete');
    expect(pageView.sink?.rows(input, outcome.result ?? null)).toEqual([
      {
        task_id: '0190a6b4-7a1e-7c3e-9d2f-3b1c2d4e5f60',
        site: 'shop',
        visitor_id: 'visitor-1',
        viewed_at: '2026-03-01T12:00:00.000Z',
        host: 'shop.example.com',
        path: '/shoes',
        utm_source: 'newsletter',
        utm_medium: null,
        utm_campaign: null,
        referrer_host: 'www.google.com',
        browser: 'Safari',
        browser_major: 17,
        os: 'iOS',
        device: 'mobile',
      },
    ]);
  });

  it('groups views by site, and its schema refuses a viewedAt that is not ISO 8601 and a malformed site', () => {
    expect(pageView.groupBy?.(view({ site: 'blog' }))).toBe('blog');
    expect(pageView.payload.safeParse({ ...view(), viewedAt: 'yesterday' }).success).toBe(false);
    expect(pageView.payload.safeParse({ ...view(), site: 'Shop!' }).success).toBe(false);
  });
});
