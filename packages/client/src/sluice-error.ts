/** One field the api found wrong: an RFC 6901 pointer into the request body, and why. */
export interface FieldError {
  readonly pointer: string;
  readonly message: string;
}

/** What a {@link SluiceError} carries: the api's RFC 9457 problem document, read defensively. */
export interface SluiceErrorFields {
  /** The HTTP status of the answer. */
  readonly status: number;
  /**
   * The problem's type URI, stable to branch on: `https://sluice.dev/problems/<key>` (`queue-full`,
   * `invalid-task`, `unauthorized`, …; see the api's docs). `about:blank` when the answer held no
   * problem document (a proxy's error page, say).
   */
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  /** Each field the api found wrong; empty when it named none. */
  readonly errors: ReadonlyArray<FieldError>;
  /** The answer's body as parsed JSON, when it was a JSON object; `undefined` otherwise. */
  readonly problem: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The api answered with a status other than 2xx (after any retries): the one error class every
 * such answer rejects with, holding the problem document.
 *
 * @example
 * try {
 *   await client.submit('EMAIL', payload);
 * } catch (error) {
 *   if (error instanceof SluiceError && error.status === 422) console.log(error.errors);
 * }
 */
export class SluiceError extends Error implements SluiceErrorFields {
  override readonly name = 'SluiceError';
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: ReadonlyArray<FieldError>;
  readonly problem: Readonly<Record<string, unknown>> | undefined;

  constructor(fields: SluiceErrorFields) {
    super(
      fields.detail === '' ? `${fields.status} ${fields.title}` : `${fields.status} ${fields.title}: ${fields.detail}`,
    );
    this.status = fields.status;
    this.type = fields.type;
    this.title = fields.title;
    this.detail = fields.detail;
    this.errors = fields.errors;
    this.problem = fields.problem;
  }
}

/** The most of a body that is not a problem document a `detail` quotes. */
const MAX_QUOTED = 500;

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const isFieldError = (value: unknown): value is FieldError =>
  isObject(value) && typeof value.pointer === 'string' && typeof value.message === 'string';

/**
 * The {@link SluiceError} for an answer with `status` and body `text`. Whatever sits between
 * client and api may answer instead of the api (a proxy's HTML 502, a gateway's empty 504), so
 * each field falls back rather than fails: the status always survives.
 *
 * @example
 * sluiceErrorFrom(502, 'Bad Gateway', '<html>…</html>').type; // 'about:blank'
 */
export const sluiceErrorFrom = (status: number, statusText: string, text: string): SluiceError => {
  const parsed = parseJson(text);
  const problem = isObject(parsed) ? parsed : undefined;
  const quoted = text.trim().slice(0, MAX_QUOTED);
  return new SluiceError({
    status,
    type: typeof problem?.type === 'string' ? problem.type : 'about:blank',
    title: typeof problem?.title === 'string' ? problem.title : statusText || `HTTP ${status}`,
    detail: typeof problem?.detail === 'string' ? problem.detail : problem === undefined ? quoted : '',
    errors: Array.isArray(problem?.errors) ? problem.errors.filter(isFieldError) : [],
    problem,
  });
};
