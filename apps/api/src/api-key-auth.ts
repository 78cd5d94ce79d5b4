import type { RequestHandler, Response } from 'express';
import { callerOfApiKey } from '@sluice/tasks';
import { sameSecret } from '@sluice/telemetry';
import { HttpProblem } from './problem.js';

/** `response.locals` entry naming the caller once a key is accepted, e.g. `key:3f1c…`. */
export const CLIENT_LOCAL = 'client';

/** The client an earlier middleware identified (`key:…`), if any. */
export const clientOf = (response: Response): string | undefined => {
  const client: unknown = response.locals[CLIENT_LOCAL];
  return typeof client === 'string' ? client : undefined;
};

/**
 * Names a key without revealing it: the rate limiter's Redis keys, the logs and idempotency ids
 * carry this, never the key. The same on every replica, so replicas share one budget per key.
 */
const keyId = callerOfApiKey;

const BEARER = /^Bearer +([\x21-\x7e]+) *$/i;

/**
 * Requires `Authorization: Bearer <key>` with one of `keys` (`API_KEYS`). A missing or wrong key
 * is a 401 problem document with a `WWW-Authenticate: Bearer` challenge (RFC 6750). The given
 * key is compared with every configured one in constant time, without stopping at a match, so
 * the answer's timing says nothing about which key, or how much of one, was right.
 *
 * On success it records the caller's key id in `response.locals.client` for the rate limiter.
 *
 * @example
 * app.use('/api', createApiKeyAuth(config.apiKeys));
 */
export const createApiKeyAuth = (keys: ReadonlyArray<string>): RequestHandler => {
  if (keys.length === 0) throw new Error('createApiKeyAuth needs at least one key; leave it out to keep /api open');
  const known = keys.map((key) => ({ key, id: keyId(key) }));
  return (request, response, next) => {
    const given = BEARER.exec(request.headers.authorization ?? '')?.[1];
    let match: string | undefined;
    if (given !== undefined) {
      for (const candidate of known) if (sameSecret(given, candidate.key)) match ??= candidate.id;
    }
    if (match !== undefined) {
      response.locals[CLIENT_LOCAL] = match;
      next();
      return;
    }
    const error = given === undefined ? '' : ', error="invalid_token"';
    next(
      new HttpProblem(
        401,
        'unauthorized',
        'Unauthorized',
        given === undefined
          ? 'This api needs an API key: send it as Authorization: Bearer <key>.'
          : 'The API key is not valid.',
        { headers: { 'WWW-Authenticate': `Bearer realm="Sluice api"${error}` } },
      ),
    );
  };
};
