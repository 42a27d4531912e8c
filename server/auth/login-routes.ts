import express, { Router, type Request, type Response } from 'express';
import { sessionCookie, sessionIdOf } from './authenticate.ts';
import { signInPage } from './sign-in-page.ts';
import type { FailureLimiter } from './failure-limiter.ts';
import type { TokenStore } from './token-store.ts';
import { serialize as serializeCookie } from 'cookie';

/** Only a path on this server may follow a sign-in (never `//evil.example` or a full URL). */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}

/** `/login` (a link with ?token= or the sign-in form) turns a token into an HttpOnly session cookie. */
export function loginRoutes(store: TokenStore, sessionTtlMs: number, failures: FailureLimiter, options: { secureCookie?: boolean } = {}): Router {
  const router = Router();

  const signIn = async (request: Request, response: Response, token: unknown, next: string) => {
    const principal = typeof token === 'string' && token.length > 0 ? await store.authenticateToken(token) : undefined;
    // A locked-out address may still sign in with a valid token; a wrong one is not even checked for it.
    const address = request.ip ?? 'unknown';
    if (!principal && failures.refuse(address, address, response)) return;
    if (!principal) {
      failures.fail(address);
      response.status(401).type('html').send(signInPage({ next, error: 'That token is not valid (or was revoked). Check it and try again.' }));
      return;
    }
    const sessionId = await store.createSession(principal, sessionTtlMs);
    response.set('Cache-Control', 'no-store');
    response.append(
      'Set-Cookie',
      serializeCookie(sessionCookie, sessionId, { httpOnly: true, sameSite: 'strict', path: '/', secure: request.secure || options.secureCookie === true, maxAge: Math.floor(sessionTtlMs / 1000) }),
    );
    response.redirect(303, next);
  };

  router.get('/login', async (request, response) => {
    const next = safeNext(request.query.next);
    if (request.query.token !== undefined) return signIn(request, response, request.query.token, next);
    response.type('html').send(signInPage({ next }));
  });

  router.post('/login', express.urlencoded({ extended: false, limit: '4kb' }), async (request, response) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    await signIn(request, response, body.token, safeNext(body.next));
  });

  router.post('/logout', async (request, response) => {
    const sessionId = sessionIdOf(request);
    if (sessionId) await store.endSession(sessionId);
    response.append('Set-Cookie', serializeCookie(sessionCookie, '', { httpOnly: true, sameSite: 'strict', path: '/', secure: request.secure || options.secureCookie === true, maxAge: 0 }));
    response.redirect(303, '/login');
  });

  return router;
}
