import { createHash, timingSafeEqual } from 'node:crypto';

/** The one account a basic-auth check lets through (e.g. `METRICS_USERNAME`/`METRICS_PASSWORD`). */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
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
export const sameSecret = (given: string, expected: string): boolean =>
  timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());

/**
 * Whether an `Authorization` header carries exactly these basic credentials (RFC 7617). Lives
 * here rather than in the api because the worker's own metrics server guards `/metrics` with the
 * same check, and apps do not import each other.
 *
 * @example
 * const allowed = basicCredentialsMatch(request.headers.authorization, { username: 'prom', password });
 */
export const basicCredentialsMatch = (header: string | undefined, expected: BasicCredentials): boolean => {
  const given = parseBasic(header);
  if (given === undefined) return false;
  // Both comparisons always run (`&`, not `&&`), so a wrong user name is not answered faster.
  return (
    (Number(sameSecret(given.user, expected.username)) & Number(sameSecret(given.password, expected.password))) === 1
  );
};

/** The `WWW-Authenticate` challenge that makes a browser or scraper offer basic credentials. */
export const basicChallenge = (realm: string): string =>
  `Basic realm="${realm.replace(/["\\]/g, '')}", charset="UTF-8"`;
