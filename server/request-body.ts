import type { Request } from 'express';
import { HttpError } from './http-error.ts';

/**
 * The JSON body of a request that needs one. A missing body (another content type, as a form
 * posts, or none at all) is a 400, never read as `{}`: an empty object would mean "all sources"
 * or "every model" to some routes.
 */
export function jsonBody(request: Request, example: string): unknown {
  if (request.body === undefined) {
    throw new HttpError(400, `this needs a JSON body (Content-Type: application/json), for example ${example}`);
  }
  return request.body;
}
