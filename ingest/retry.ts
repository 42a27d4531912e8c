import { IngestError } from '../core/errors.ts';
import { backoffDelayMs, type RetryPolicy } from '../core/backoff.ts';
import { parseDurationMs } from '../core/duration.ts';

export const defaultRetryPolicy: RetryPolicy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 };

/** Errors worth another try: the network, timeouts, 429 and 5xx. Anything else fails at once. */
export function isTransient(error: unknown): boolean {
  if (error instanceof IngestError) return Boolean(error.context.transient);
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return true;
  const code = (error as NodeJS.ErrnoException).code ?? ((error.cause as NodeJS.ErrnoException | undefined)?.code);
  return typeof code === 'string' && /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|ENOTFOUND|EHOSTUNREACH|UND_ERR_\w+|ER_CON\w*|PROTOCOL_CONNECTION_LOST|57P01|08\w{3})$/.test(code);
}

/** An error that says how long the server asked to wait (429 Retry-After, GraphQL throttling). */
export class RetryAfterError extends IngestError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
    context: ConstructorParameters<typeof IngestError>[1] = {},
  ) {
    super(message, { ...context, transient: true });
  }
}

export interface RetryHooks {
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** Runs `fn` until it succeeds, fails permanently, or runs out of attempts (then the last error). */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  const sleep = hooks.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || !isTransient(error)) throw error;
      const delayMs = backoffDelayMs(attempt, policy, error instanceof RetryAfterError ? error.retryAfterMs : undefined);
      hooks.onRetry?.(attempt, delayMs, error);
      await sleep(delayMs);
    }
  }
}

/** The retry policy a source configures (`retry:`), in milliseconds. */
export function retryPolicyFor(source: { retry: { attempts: number; base_delay: string; max_delay: string } }): RetryPolicy {
  return {
    attempts: source.retry.attempts,
    baseDelayMs: parseDurationMs(source.retry.base_delay)!,
    maxDelayMs: parseDurationMs(source.retry.max_delay)!,
  };
}
