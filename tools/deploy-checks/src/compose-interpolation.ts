import { InterpolationError } from './interpolation-error.js';

/** Variables visible to interpolation: what the shell and `.env` would give `docker compose`. */
export type Variables = Readonly<Record<string, string | undefined>>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** The operators compose accepts after a variable name inside `${…}`. */
type Operator = '' | ':-' | '-' | ':?' | '?' | ':+' | '+';
const OPERATORS: ReadonlyArray<Operator> = [':-', ':?', ':+', '-', '?', '+'];

/** Index of the `}` that closes the `${` whose body starts at `start`, allowing nested `${…}`. */
const closingBrace = (text: string, start: number): number => {
  let depth = 1;
  for (let i = start; i < text.length; i += 1) {
    if (text[i] === '{') depth += 1;
    else if (text[i] === '}') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  throw new InterpolationError(`unclosed "\${" in ${JSON.stringify(text)}`);
};

const expand = (body: string, variables: Variables): string => {
  const name = NAME.exec(body)?.[0];
  if (name === undefined) throw new InterpolationError(`"\${${body}}" does not start with a variable name`);
  const rest = body.slice(name.length);
  const operator: Operator = OPERATORS.find((candidate) => rest.startsWith(candidate)) ?? '';
  if (operator === '' && rest !== '') throw new InterpolationError(`"\${${body}}" has an unknown operator`);
  const operand = (): string => interpolate(rest.slice(operator.length), variables);
  const value = variables[name];
  const empty = value === undefined || value === '';
  switch (operator) {
    case '':
      return value ?? '';
    case ':-':
      return empty ? operand() : value;
    case '-':
      return value ?? operand();
    case ':?':
    case '?':
      if (operator === ':?' ? empty : value === undefined) {
        throw new InterpolationError(`${name} is required: ${operand() || 'it is not set'}`);
      }
      return value ?? '';
    case ':+':
      return empty ? '' : operand();
    case '+':
      return value === undefined ? '' : operand();
  }
};

/**
 * Replaces variables in one value of a compose file the way `docker compose` does: `$$` is a
 * literal `$`, `$VAR` and `${VAR}` its value (empty when unset), `${VAR:-default}` the default
 * when unset or empty, `${VAR-default}` when unset, `${VAR:?message}` an error when unset or
 * empty, `${VAR:+other}` the other text when set. Defaults may hold variables themselves.
 *
 * @example
 * interpolate('postgres://app:${PASSWORD:-secret}@db/app', {}); // 'postgres://app:secret@db/app'
 */
export const interpolate = (text: string, variables: Variables): string => {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char !== '$') {
      out += char;
      i += 1;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(text, i + 2);
      out += expand(text.slice(i + 2, end), variables);
      i = end + 1;
    } else {
      const name = NAME.exec(text.slice(i + 1))?.[0];
      if (name === undefined) {
        out += '$';
        i += 1;
      } else {
        out += variables[name] ?? '';
        i += 1 + name.length;
      }
    }
  }
  return out;
};
