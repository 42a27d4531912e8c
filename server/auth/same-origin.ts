import type { Request, RequestHandler } from 'express';
import { HttpError } from '../http-error.ts';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request forgery: a browser attaches the session cookie to a form posted from another
 * page, and SameSite=Strict does not stop another port of the same host (that is the same site).
 * So a request that changes something and is signed in by cookie must say it comes from this
 * origin: `Sec-Fetch-Site: same-origin`, or, from browsers that do not send it, an `Origin` equal
 * to this server's (or `server.public_url`'s). Bearer tokens are not sent by browsers on their own
 * and need no check. Runs after `authenticate`.
 */
export function requireSameOrigin(publicUrl?: string): RequestHandler {
  const configured = publicUrl ? new URL(publicUrl).origin : undefined;
  return (request, response, next) => {
    if (safeMethods.has(request.method) || response.locals.credentials !== 'session') return next();
    const site = request.get('sec-fetch-site');
    const origin = request.get('origin');
    const own = ownOrigin(request);
    const sameOrigin = site !== undefined ? site === 'same-origin' : origin !== undefined && (origin === own || origin === configured);
    if (sameOrigin) return next();
    next(
      new HttpError(
        403,
        `cross-origin request refused: a change made with a session cookie must come from this dashboard (${configured ?? own}), not from ${origin ?? (site ? `a ${site} page` : 'a page that does not say where it is')}; scripts send Authorization: Bearer <token>`,
      ),
    );
  };
}

function ownOrigin(request: Request): string {
  return `${request.protocol}://${request.get('host') ?? ''}`;
}
