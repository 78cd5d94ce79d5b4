// The "live / reconnecting" pill in the header.
import { formatClock } from './format.js';

/**
 * States: `connecting` (before the first answer), `live` (the last poll succeeded), `down` (the
 * last poll failed; the page keeps the figures it had and keeps trying).
 */
export const createStatus = (element, text) => {
  let downSince;
  return {
    live: (at) => {
      downSince = undefined;
      element.dataset['state'] = 'live';
      element.removeAttribute('title');
      text.textContent = `live · ${formatClock(at, true)}`;
    },
    down: (at, error) => {
      downSince ??= at;
      element.dataset['state'] = 'down';
      text.textContent = `api unreachable since ${formatClock(downSince, true)} · retrying`;
      element.title = error instanceof Error ? error.message : String(error);
    },
  };
};
