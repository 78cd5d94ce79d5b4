import { PROBLEM_TYPE_BASE } from '../contract/problem-document.js';
import type { OpenApiDocument, OpenApiResponse, Reference } from './openapi-document.js';

// Reads the status tables of docs/api.md and holds an OpenAPI document against them, for the
// spec that keeps the two from drifting apart. Three kinds of table are read:
//
//   | status | when |              under a `## \`POST /api/tasks\` — …` heading: that route's
//                                   statuses; before the first `##`, what any guarded /api
//                                   request may get ("`401` `unauthorized`")
//   | route | `200` | `400` | … |   a route per row, a status per column, `—` for none
//   | route | status | when |       a route per row, its statuses `200` · `304`, each with its
//                                   "when" in the same place of the "when" cell
//
// A "when" is split at ` · `; the problem codes of a piece are the code spans it starts with
// (`malformed-json`: …, `unavailable`, `outcome-unknown`, as above).

/** One status of one route, as a table gives it. */
export interface StatusRow {
  /** `POST /api/tasks/{id}` as OpenAPI writes paths, or `*`: every /api route behind the key. */
  readonly route: string;
  readonly status: string;
  readonly codes: ReadonlyArray<string>;
  /** From a table under a heading that says its routes are "never behind" the key and the limit. */
  readonly open: boolean;
}

/** Every route behind the API key and the rate limit gets the rows of this route. */
export const ANY_GUARDED_ROUTE = '*';

const cellsOf = (line: string): ReadonlyArray<string> =>
  line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((cell) => cell.trim());

const codeSpans = (text: string): ReadonlyArray<string> =>
  [...text.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');

/** The code spans a "when" piece starts with: `a`, `b` and `c`: … gives a, b and c. */
const leadingCodes = (piece: string): ReadonlyArray<string> => {
  const lead = /^`[a-z][a-z0-9]*(?:-[a-z0-9]+)*`(?:,? `[a-z][a-z0-9]*(?:-[a-z0-9]+)*`)*/.exec(piece.trim());
  return lead === null ? [] : codeSpans(lead[0]);
};

/** `GET /api/tasks/:id?x=` as `GET /api/tasks/{id}`; undefined for anything not an /api route. */
const routeOf = (span: string): string | undefined => {
  const match = /^(GET|POST|PUT|PATCH|DELETE) (\/api(?:\/[^?\s]*)?)/.exec(span);
  if (match === null) return undefined;
  return `${match[1]} ${(match[2] ?? '').replace(/:([A-Za-z]+)/g, '{$1}')}`;
};

const STATUS = /^\d{3}$/;

/**
 * Every status row of the /api routes in `markdown` (docs/api.md).
 *
 * @example
 * statusRows(readFileSync('docs/api.md', 'utf8'));
 * // [{ route: '*', status: '401', codes: ['unauthorized'], open: false }, …]
 */
export const statusRows = (markdown: string): ReadonlyArray<StatusRow> => {
  const rows: StatusRow[] = [];
  let heading = '';
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    if (line.startsWith('## ')) heading = line;
    if (!line.startsWith('|') || !(lines[index + 1] ?? '').startsWith('| ---')) continue;
    const header = cellsOf(line);
    const body: Array<ReadonlyArray<string>> = [];
    for (index += 2; (lines[index] ?? '').startsWith('|'); index += 1) body.push(cellsOf(lines[index] ?? ''));
    index -= 1;
    const open = heading.includes('never behind');
    if (header[0] === 'status' && header[1] === 'when') {
      const headingRoute = codeSpans(heading)
        .map(routeOf)
        .find((route) => route !== undefined);
      const route = heading === '' ? ANY_GUARDED_ROUTE : headingRoute;
      if (route === undefined) continue;
      for (const [statusCell = '', when = ''] of body) {
        const [status = '', ...inStatusCell] = codeSpans(statusCell);
        rows.push({ route, status, codes: [...inStatusCell, ...when.split(' · ').flatMap(leadingCodes)], open });
      }
    } else if (header[0] === 'route' && header[1] === 'status') {
      for (const [routeCell = '', statusCell = '', when = ''] of body) {
        const statuses = statusCell.split(' · ').map((piece) => codeSpans(piece)[0] ?? piece);
        const pieces = when.split(' · ');
        for (const route of codeSpans(routeCell).flatMap((span) => routeOf(span) ?? [])) {
          statuses.forEach((status, place) => {
            rows.push({ route, status, codes: leadingCodes(pieces[place] ?? ''), open });
          });
        }
      }
    } else if (header[0] === 'route' && header.slice(1).every((cell) => STATUS.test(codeSpans(cell)[0] ?? ''))) {
      const statuses = header.slice(1).map((cell) => codeSpans(cell)[0] ?? '');
      for (const [routeCell = '', ...cells] of body) {
        for (const route of codeSpans(routeCell).flatMap((span) => routeOf(span) ?? [])) {
          statuses.forEach((status, place) => {
            const cell = cells[place] ?? '—';
            if (cell !== '—') rows.push({ route, status, codes: cell.split(' · ').flatMap(leadingCodes), open });
          });
        }
      }
    }
  }
  return rows;
};

const isReference = (value: OpenApiResponse | Reference): value is Reference => '$ref' in value;

/** The problem codes a response may carry: its problem schema's `type` enum. */
const problemCodes = (response: OpenApiResponse): ReadonlyArray<string> => {
  const schema = response.content?.['application/problem+json']?.schema as
    | { allOf?: ReadonlyArray<{ properties?: { type?: { enum?: ReadonlyArray<string> } } }> }
    | undefined;
  const types = schema?.allOf?.flatMap((part) => part.properties?.type?.enum ?? []) ?? [];
  return types.map((type) => type.slice(PROBLEM_TYPE_BASE.length));
};

/** Statuses (with their problem codes) of every operation of `document`, by route; `default` left out. */
export const documentedStatuses = (
  document: OpenApiDocument,
): ReadonlyMap<string, { readonly open: boolean; readonly statuses: ReadonlyMap<string, ReadonlySet<string>> }> => {
  const resolve = (response: OpenApiResponse | Reference): OpenApiResponse => {
    if (!isReference(response)) return response;
    const name = response.$ref.replace('#/components/responses/', '');
    const found = document.components.responses[name];
    if (found === undefined) throw new Error(`no response ${response.$ref}`);
    return found;
  };
  const routes = new Map<string, { open: boolean; statuses: Map<string, ReadonlySet<string>> }>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const statuses = new Map<string, ReadonlySet<string>>();
      for (const [status, response] of Object.entries(operation.responses)) {
        if (status !== 'default') statuses.set(status, new Set(problemCodes(resolve(response))));
      }
      routes.set(`${method.toUpperCase()} ${path}`, { open: operation.security.length === 0, statuses });
    }
  }
  return routes;
};

/**
 * What the tables and the document disagree on, one sentence each; empty when they agree. Every
 * route, status and problem code of either must be in the other, and a route is open to all in
 * both or in neither.
 */
export const statusDrift = (rows: ReadonlyArray<StatusRow>, document: OpenApiDocument): ReadonlyArray<string> => {
  const drift: string[] = [];
  const documented = documentedStatuses(document);
  const guarded = rows.filter((row) => row.route === ANY_GUARDED_ROUTE);
  const tabled = new Set(rows.map((row) => row.route).filter((route) => route !== ANY_GUARDED_ROUTE));
  for (const route of tabled) {
    if (!documented.has(route)) drift.push(`docs/api.md lists ${route}; the document has no such operation`);
  }
  for (const [route, { open, statuses }] of documented) {
    if (!tabled.has(route)) {
      drift.push(`the document has ${route}; docs/api.md has no row for it`);
      continue;
    }
    const own = rows.filter((row) => row.route === route);
    if (own.some((row) => row.open !== open)) {
      drift.push(`${route} is ${open ? '' : 'not '}open to all in the document, ${open ? 'not ' : ''}in docs/api.md`);
    }
    const expected = new Map<string, Set<string>>();
    for (const row of open ? own : [...own, ...guarded]) {
      const codes = expected.get(row.status) ?? new Set<string>();
      for (const code of row.codes) codes.add(code);
      expected.set(row.status, codes);
    }
    for (const [status, codes] of expected) {
      const given = statuses.get(status);
      if (given === undefined) {
        drift.push(`docs/api.md gives ${route} a ${status}; the document does not`);
        continue;
      }
      for (const code of codes) {
        if (!given.has(code)) drift.push(`docs/api.md gives ${route} ${status} \`${code}\`; the document does not`);
      }
      for (const code of given) {
        if (!codes.has(code)) drift.push(`the document gives ${route} ${status} \`${code}\`; docs/api.md does not`);
      }
    }
    for (const status of statuses.keys()) {
      if (!expected.has(status)) drift.push(`the document gives ${route} a ${status}; docs/api.md does not`);
    }
  }
  return drift;
};
