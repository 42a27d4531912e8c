import { EventEmitter } from 'node:events';

const events = new EventEmitter();

/** Tells every server in this process that a build published new marts (caches drop their answers). */
export function martsPublished(): void {
  events.emit('published');
}

export function onMartsPublished(listener: () => void): () => void {
  events.on('published', listener);
  return () => events.off('published', listener);
}
