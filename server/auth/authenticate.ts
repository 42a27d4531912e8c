import { parse as parseCookie } from 'cookie';
import type { Request, RequestHandler, Response } from 'express';
import { HttpError } from '../http-error.ts';
import { roleAtLeast, type Principal, type Role } from './roles.ts';
import type { TokenStore } from './token-store.ts';

export const sessionCookie = 'stocklens_session';

/** Resolves who is calling (bearer token first, then the session cookie) without refusing anyone yet. */
export function authenticate(store: TokenStore): RequestHandler {
  return async (request, response, next) => {
    const header = request.get('authorization');
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      response.locals.credentials = 'bearer';
      response.locals.principal = match ? await store.authenticateToken(match[1]) : undefined;
      return next();
    }
    const sessionId = sessionIdOf(request);
    if (sessionId !== undefined) {
      response.locals.credentials = 'session';
      response.locals.principal = await store.authenticateSession(sessionId);
    }
    next();
  };
}

export function sessionIdOf(request: Request): string | undefined {
  const header = request.get('cookie');
  return header ? parseCookie(header)[sessionCookie] : undefined;
}

export function principalOf(response: Response): Principal | undefined {
  return response.locals.principal as Principal | undefined;
}

/** 401 when the caller is unknown (no or bad credentials), 403 when known but the role is too low. */
export function requireRole(needed: Role): RequestHandler {
  return (_request, response, next) => {
    const principal = principalOf(response);
    if (!principal) {
      const presented = response.locals.credentials as string | undefined;
      const message =
        presented === 'bearer'
          ? 'invalid or revoked token'
          : presented === 'session'
            ? 'your session has expired or was ended: sign in again'
            : 'authentication required: send Authorization: Bearer <token> (stocklens token create) or sign in at /login';
      return next(new HttpError(401, message, { 'WWW-Authenticate': 'Bearer realm="stocklens"' }));
    }
    if (!roleAtLeast(principal.role, needed)) {
      return next(new HttpError(403, `this needs the ${needed} role; your token ${principal.tokenId} has the ${principal.role} role`));
    }
    next();
  };
}
