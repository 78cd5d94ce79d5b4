import type { RequestHandler } from 'express';
import { basicChallenge, basicCredentialsMatch } from '@sluice/telemetry';
import { HttpProblem } from './problem.js';

/** The one account a {@link createBasicAuth} middleware lets through. */
export interface BasicAuthOptions {
  readonly username: string;
  readonly password: string;
  /** Named in the browser's login prompt. */
  readonly realm: string;
}

/**
 * HTTP basic authentication (RFC 7617) for one configured account, compared in constant time
 * (`basicCredentialsMatch`). A request without the right credentials gets a 401 problem document
 * and a `WWW-Authenticate` challenge, so a browser shows its login prompt.
 *
 * @example
 * app.use('/admin/queues', createBasicAuth({ username: 'ops', password: secret, realm: 'Sluice' }), board);
 */
export const createBasicAuth = (options: BasicAuthOptions): RequestHandler => {
  const challenge = basicChallenge(options.realm);
  return (request, _response, next) => {
    if (basicCredentialsMatch(request.headers.authorization, options)) {
      next();
      return;
    }
    next(
      new HttpProblem(
        401,
        'unauthorized',
        'Unauthorized',
        `${options.realm} needs a user name and password (HTTP basic authentication).`,
        {
          headers: { 'WWW-Authenticate': challenge },
        },
      ),
    );
  };
};
