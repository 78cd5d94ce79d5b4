// The "live / reconnecting" pill in the header.
import { formatClock } from './format.js';

/**
 * States: `connecting` (before the first answer), `live` (the last poll succeeded), `down` (the
 * last poll failed; the page keeps the figures it had and keeps trying), `locked` (the api wants
 * an API key the page does not have; it waits for one).
 */
export const createStatus = (element, text) => {
  let downSince;
  return {
    live: (at) => {
      downSince = undefined;
      element.dataset.state = 'live';
      element.removeAttribute('title');
      text.textContent = `live · ${formatClock(at, true)}`;
    },
    locked: () => {
      downSince = undefined;
      element.dataset.state = 'locked';
      element.title = 'The api has API_KEYS set';
      text.textContent = 'API key needed';
    },
    down: (at, error) => {
      downSince ??= at;
      element.dataset.state = 'down';
      text.textContent = `api unreachable since ${formatClock(downSince, true)} · retrying`;
      element.title = error instanceof Error ? error.message : String(error);
    },
  };
};
