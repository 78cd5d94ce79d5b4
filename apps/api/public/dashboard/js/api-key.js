// The API key the dashboard sends when the api has API_KEYS set.
//
// Why a key typed into the page, kept in sessionStorage: the dashboard's figures come from the
// same /api routes as any client's, so it needs what any client needs, and no second way in (an
// open copy of the routes, or a cookie session) has to be built and guarded. sessionStorage keeps
// the key to this tab and forgets it when the tab closes; it is never sent on its own as a cookie
// would be, so another site cannot make the browser use it (no CSRF). What could read it is a
// script running in the page, which the strict Content-Security-Policy (scripts from this origin
// only, no inline script) is there to prevent.

const STORAGE_KEY = 'sluice.apiKey';

/** The key this tab was given, or undefined. */
export const readApiKey = () => {
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    // Storage can be disabled; the page then asks again after every reload.
    return undefined;
  }
};

const saveApiKey = (key) => {
  try {
    sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    // Kept in memory only, below.
  }
};

/** Thrown by a fetch the api refused with 401: the page needs a (new) key. */
export class UnauthorizedError extends Error {
  constructor(path) {
    super(`${path} needs an API key`);
    this.name = 'UnauthorizedError';
  }
}

/**
 * The "API key" form. States: hidden (no key needed, or the key works) → shown (the api said 401;
 * `refused` tells a wrong key from a missing one) → hidden once a key is entered, until the next 401.
 */
export const createKeyForm = (form, onKey) => {
  const input = form.querySelector('input');
  const message = form.querySelector('.key-message');
  let current = readApiKey();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (key === '') return;
    current = key;
    saveApiKey(key);
    input.value = '';
    form.hidden = true;
    onKey();
  });
  return {
    key: () => current,
    ask: () => {
      const wasHidden = form.hidden;
      message.textContent =
        current === undefined
          ? 'This api needs an API key (API_KEYS). It is kept in this tab only.'
          : 'The api refused that key. Enter another one.';
      form.hidden = false;
      if (wasHidden) input.focus();
    },
  };
};
