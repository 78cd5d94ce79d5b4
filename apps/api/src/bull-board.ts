import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { Router, type Express } from 'express';
import { createBasicAuth } from './basic-auth.js';

/** Where Bull Board is served. */
export const BOARD_PATH = '/admin/queues';

/** How Bull Board is exposed; `config.board` has this shape. */
export interface BoardSettings {
  /** With `password`, the board asks for HTTP basic auth (`BOARD_USERNAME`). Unset: no login. */
  readonly username?: string;
  /** With `username`, the board asks for HTTP basic auth (`BOARD_PASSWORD`). */
  readonly password?: string;
  /**
   * Read-only mode (`BOARD_READ_ONLY`, default false): jobs can be looked at but not retried,
   * promoted, removed or cleaned, and the queue cannot be paused or emptied.
   */
  readonly readOnly: boolean;
}

type Render = (path: string, options: object, callback: (error: unknown, html?: string) => void) => void;

/** The Google Fonts stylesheet Bull Board's page links to; without it the page uses system fonts. */
const WEB_FONTS = /<link [^>]*href="https:\/\/fonts\.googleapis\.com\/[^>]*>\s*/g;

/**
 * Bull Board's page links a stylesheet on fonts.googleapis.com. Offline, or behind a strict
 * Content-Security-Policy, that request fails or hangs and holds up the first paint; every other
 * asset is served from the package. So its page template is rendered without the link.
 */
const dropWebFonts = (board: Express): void => {
  // Express keeps registered engines on `app.engines`; @types/express does not declare it.
  const render = (board as unknown as { readonly engines?: Readonly<Record<string, Render>> }).engines?.['.ejs'];
  if (render === undefined) throw new Error('Bull Board registered no ejs view engine; cannot serve its page offline');
  board.engine('ejs', (path, options, callback) =>
    render(path, options, (error, html) => callback(error, html?.replace(WEB_FONTS, ''))),
  );
};

/**
 * Bull Board over the tasks queue's shards (one queue each), mounted at {@link BOARD_PATH}: counts per state, jobs by
 * state, each job's data, attempts and the error of every failed attempt, and (unless read-only)
 * retrying failed jobs. The credentials, when set, guard every path under it, the board's own
 * JSON API included.
 *
 * @example
 * app.use(BOARD_PATH, createBoardRouter(queue.queues, config.board));
 */
export const createBoardRouter = (queues: ReadonlyArray<Queue>, settings: BoardSettings): Router => {
  const serverAdapter = new ExpressAdapter();
  // The board writes this into <base href>, so its assets and API calls resolve under the mount.
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: queues.map(
      (queue) => new BullMQAdapter(queue, { readOnlyMode: settings.readOnly, allowRetries: !settings.readOnly }),
    ),
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: 'Sluice',
        miscLinks: [{ text: 'Batch dashboard', url: '/' }],
      },
    },
  });
  const router = Router();
  const { username, password } = settings;
  if (username !== undefined && password !== undefined) {
    router.use(createBasicAuth({ username, password, realm: 'Sluice Bull Board' }));
  }
  const board = serverAdapter.getRouter() as Express;
  dropWebFonts(board);
  router.use(board);
  return router;
};
