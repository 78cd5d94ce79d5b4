/**
 * A page URL the handler cannot record: not a URL at all, or not an http(s) page. The same text
 * fails the same way on every attempt, so the handler fails its task for good (`retry: false`).
 */
export class PageUrlError extends Error {
  override readonly name = 'PageUrlError';

  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(`page URL ${JSON.stringify(url.length > 200 ? `${url.slice(0, 200)}…` : url)} ${reason}`);
  }
}
