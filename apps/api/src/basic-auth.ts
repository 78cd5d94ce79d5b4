import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpProblem } from './problem.js';

/** The one account a {@link createBasicAuth} middleware lets through. */
export interface BasicAuthOptions {
  readonly username: string;
  readonly password: string;
  /** Named in the browser's login prompt. */
  readonly realm: string;
}

/** The user and password of an `Authorization: Basic …` header, or `undefined` for any other header. */
const parseBasic = (header: string | undefined): { user: string; password: string } | undefined => {
  const match = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // RFC 7617: the user id cannot contain a colon, so the first one ends it; the password may hold more.
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
};

/**
 * Compares in time that depends on neither value: both sides are hashed to 32 bytes first,
 * since `timingSafeEqual` needs equal lengths and comparing lengths would leak the secret's.
 */
const sameText = (given: string, expected: string): boolean =>
  timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());

/**
 * HTTP basic authentication (RFC 7617) for one configured account. A request without the right
 * credentials gets a 401 problem document and a `WWW-Authenticate` challenge, so a browser shows
 * its login prompt.
 *
 * @example
 * app.use('/admin/queues', createBasicAuth({ username: 'ops', password: secret, realm: 'Sluice' }), board);
 */
export const createBasicAuth = (options: BasicAuthOptions): RequestHandler => {
  const challenge = `Basic realm="${options.realm.replace(/["\\]/g, '')}", charset="UTF-8"`;
  return (request, _response, next) => {
    const given = parseBasic(request.headers.authorization);
    // Both comparisons always run (`&`, not `&&`), so a wrong user name is not answered faster.
    const allowed =
      given !== undefined &&
      (Number(sameText(given.user, options.username)) & Number(sameText(given.password, options.password))) === 1;
    if (allowed) {
      next();
      return;
    }
    next(
      new HttpProblem(401, 'unauthorized', 'Unauthorized', `${options.realm} needs a user name and password (HTTP basic authentication).`, {
        headers: { 'WWW-Authenticate': challenge },
      }),
    );
  };
};
