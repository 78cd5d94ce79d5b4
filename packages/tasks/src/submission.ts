import type { Catalog } from './catalog.js';
import { explainIssues } from './schema-issues.js';
import { TASK_TYPE_NAME } from './task-type.js';

/** Largest payload accepted, in bytes of its JSON text (64 KiB). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/** Deepest nesting accepted in a payload. */
export const MAX_PAYLOAD_DEPTH = 32;
/**
 * Longest text value in a payload, in UTF-16 code units. As long as the longest field a demo
 * schema allows (an EMAIL body, 32,768): a catalog schema may be stricter, never looser, and a
 * schema that forgot its `.max()` still cannot take one 60 KB string.
 */
export const MAX_STRING_LENGTH = 32_768;
/** Most tasks one bulk submission may hold: what one request or `submitMany` call enqueues, all or none. */
export const MAX_BULK_TASKS = 10_000;
/** Longest object key in a payload, in UTF-16 code units: keys name fields, they do not carry data. */
export const MAX_KEY_LENGTH = 256;

/** One problem with one field; `pointer` is an RFC 6901 JSON Pointer into the request body. */
export interface FieldError {
  readonly pointer: string;
  readonly message: string;
}

export interface Submission {
  readonly taskType: string;
  readonly payload: unknown;
}

export type Validated =
  | { readonly ok: true; readonly value: Submission }
  | { readonly ok: false; readonly errors: ReadonlyArray<FieldError> };

/** In `u` mode a valid surrogate pair is one code point, so `\p{Cs}` matches only unpaired halves. */
const LONE_SURROGATE = /\p{Cs}/u;

const escapePointer = (segment: string | number): string => String(segment).replaceAll('~', '~0').replaceAll('/', '~1');

/** Whether `value` is an object that is neither null nor an array. For this package's checks. */
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Finds what PostgreSQL's jsonb would reject or what we refuse to carry: NUL characters, lone
 * UTF-16 surrogates (not valid Unicode), and nesting deeper than MAX_PAYLOAD_DEPTH (`unsafe`);
 * and the first text or key over its length limit (`tooLong`), reported only after the size check
 * so that an oversized payload is told its size. Iterative, so a hostile payload cannot overflow
 * the stack.
 */
const scanPayload = (payload: unknown, base: string): { unsafe?: FieldError; tooLong?: FieldError } => {
  const pending: Array<{ value: unknown; pointer: string; depth: number }> = [
    { value: payload, pointer: base, depth: 0 },
  ];
  let tooLong: FieldError | undefined;
  const unsafe = (problem: FieldError) => (tooLong === undefined ? { unsafe: problem } : { unsafe: problem, tooLong });
  const checkText = (text: string, pointer: string, what: string): FieldError | undefined => {
    if (text.includes('\u0000')) return { pointer, message: `${what} contains a NUL character (\\u0000)` };
    if (LONE_SURROGATE.test(text)) return { pointer, message: `${what} contains an unpaired UTF-16 surrogate` };
    return undefined;
  };
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, pointer, depth } = next;
    if (depth > MAX_PAYLOAD_DEPTH) {
      return unsafe({ pointer, message: `payload is nested deeper than ${MAX_PAYLOAD_DEPTH} levels` });
    }
    if (typeof value === 'string') {
      const problem = checkText(value, pointer, 'text');
      if (problem) return unsafe(problem);
      if (value.length > MAX_STRING_LENGTH) {
        tooLong ??= { pointer, message: `text is ${value.length} characters long; the limit is ${MAX_STRING_LENGTH}` };
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        pending.push({ value: item, pointer: `${pointer}/${index}`, depth: depth + 1 });
      });
    } else if (isPlainObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        const keyPointer = `${pointer}/${escapePointer(key.slice(0, MAX_KEY_LENGTH))}`;
        const problem = checkText(key, keyPointer, 'a key');
        if (problem) return unsafe(problem);
        if (key.length > MAX_KEY_LENGTH) {
          tooLong ??= {
            pointer: keyPointer,
            message: `a key is ${key.length} characters long; the limit is ${MAX_KEY_LENGTH}`,
          };
        }
        pending.push({ value: item, pointer: keyPointer, depth: depth + 1 });
      }
    }
  }
  return tooLong === undefined ? {} : { tooLong };
};

/**
 * Checks one task submission `{ taskType, payload }` against the catalog: the type must match
 * TASK_TYPE_NAME and exist, the payload must match its schema, fit in MAX_PAYLOAD_BYTES, nest at
 * most MAX_PAYLOAD_DEPTH deep, hold no text over MAX_STRING_LENGTH, no key over MAX_KEY_LENGTH,
 * and no NUL or unpaired surrogate. Pure: the api calls it before enqueueing anything. `at` prefixes every pointer
 * (e.g. `/tasks/3` in a bulk request).
 *
 * @example
 * const checked = validateSubmission(catalog, { taskType: 'EMAIL', payload: { to: 'a@b.c' } });
 * if (!checked.ok) console.log(checked.errors); // [{ pointer: '/payload/to', message: … }]
 */
export const validateSubmission = (catalog: Catalog, input: unknown, at = ''): Validated => {
  if (!isPlainObject(input)) {
    return { ok: false, errors: [{ pointer: at || '/', message: 'must be an object { "taskType", "payload" }' }] };
  }
  const errors: FieldError[] = [];
  for (const key of Object.keys(input)) {
    if (key !== 'taskType' && key !== 'payload') {
      errors.push({
        pointer: `${at}/${escapePointer(key)}`,
        message: 'is not a known field (expected taskType and payload)',
      });
    }
  }
  const { taskType, payload } = input;
  const type = typeof taskType === 'string' ? catalog.get(taskType) : undefined;
  if (typeof taskType !== 'string') {
    errors.push({
      pointer: `${at}/taskType`,
      message: `is required and must be a string, one of ${catalog.names.join(', ')}`,
    });
  } else if (!TASK_TYPE_NAME.test(taskType)) {
    // Checked before the catalog so that junk is named as such and never echoed at length.
    errors.push({
      pointer: `${at}/taskType`,
      message: `must be 1 to 64 upper-case letters, digits or "_", starting with a letter (${TASK_TYPE_NAME.source}); known types: ${catalog.names.join(', ')}`,
    });
  } else if (!type) {
    errors.push({
      pointer: `${at}/taskType`,
      message: `unknown task type ${JSON.stringify(taskType.slice(0, 64))}; known types: ${catalog.names.join(', ')}`,
    });
  }
  if (payload === undefined) {
    errors.push({ pointer: `${at}/payload`, message: 'is required' });
  }
  if (errors.length > 0 || !type) return { ok: false, errors };

  // Scan first: it bounds the depth, so JSON.stringify below cannot overflow the stack.
  const scanned = scanPayload(payload, `${at}/payload`);
  if (scanned.unsafe) return { ok: false, errors: [scanned.unsafe] };
  const bytes = Buffer.byteLength(JSON.stringify(payload), 'utf8');
  if (bytes > MAX_PAYLOAD_BYTES) {
    return {
      ok: false,
      errors: [{ pointer: `${at}/payload`, message: `is ${bytes} bytes of JSON; the limit is ${MAX_PAYLOAD_BYTES}` }],
    };
  }
  if (scanned.tooLong) return { ok: false, errors: [scanned.tooLong] };

  const parsed = type.payload.safeParse(payload);
  if (!parsed.success) {
    return {
      ok: false,
      errors: explainIssues(parsed.error.issues, payload).map((issue) => ({
        pointer: `${at}/payload${issue.path.map((segment) => `/${escapePointer(String(segment))}`).join('')}`,
        message: issue.message,
      })),
    };
  }
  return { ok: true, value: { taskType: type.name, payload: parsed.data } };
};

/**
 * Checks a bulk submission's `tasks`: a list of 1 to MAX_BULK_TASKS submissions, each checked by
 * validateSubmission with its pointer under `/tasks/<i>`. Every task's errors are reported, not
 * just the first's. The api's `POST /api/tasks/batch` and createEnqueuer's `submitMany` both
 * check with it, so they refuse the same lists with the same errors.
 *
 * @example
 * const checked = validateSubmissions(catalog, body.tasks);
 * if (!checked.ok) console.log(checked.errors); // [{ pointer: '/tasks/3/payload/to', message: … }]
 */
export const validateSubmissions = (
  catalog: Catalog,
  tasks: unknown,
):
  | { readonly ok: true; readonly value: ReadonlyArray<Submission> }
  | { readonly ok: false; readonly errors: ReadonlyArray<FieldError> } => {
  if (!Array.isArray(tasks) || tasks.length === 0 || tasks.length > MAX_BULK_TASKS) {
    return { ok: false, errors: [{ pointer: '/tasks', message: `must be a list of 1 to ${MAX_BULK_TASKS} tasks` }] };
  }
  const submissions: Submission[] = [];
  const errors: FieldError[] = [];
  tasks.forEach((task: unknown, index) => {
    const checked = validateSubmission(catalog, task, `/tasks/${index}`);
    if (checked.ok) submissions.push(checked.value);
    else errors.push(...checked.errors);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: submissions };
};
