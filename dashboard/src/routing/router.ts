import { abortPendingRequests } from '../data/api-client.ts';
import { formatRoute, parseRoute, type Route } from './route.ts';

type Listener = (route: Route) => void;
const listeners = new Set<Listener>();

/** Mark name of the moment a navigation starts: the bench measures from it to the page's drawn mark. */
export const navigationMark = 'stocklens:navigate';

export function currentRoute(): Route {
  return parseRoute(location.hash);
}

export function onRouteChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function navigate(route: Route): void {
  const hash = formatRoute(route);
  if (hash !== location.hash) location.hash = hash;
}

export function hrefFor(route: Route): string {
  return formatRoute(route);
}

window.addEventListener('hashchange', () => {
  performance.mark(navigationMark);
  // Whatever the previous view still waits for is no longer wanted.
  abortPendingRequests();
  const route = currentRoute();
  for (const listener of listeners) listener(route);
});
