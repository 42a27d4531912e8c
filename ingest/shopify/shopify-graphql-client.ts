import { IngestError, causeMessage } from '../../core/errors.ts';
import { logger } from '../../core/logger.ts';
import type { RetryPolicy } from '../../core/backoff.ts';
import { RetryAfterError, withRetry } from '../retry.ts';

/** `extensions.cost` of an Admin API answer: what the query cost and what the bucket holds. */
export interface QueryCost {
  requestedQueryCost?: number;
  actualQueryCost?: number;
  throttleStatus?: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

interface GraphqlAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
  extensions?: { cost?: QueryCost };
}

export interface ShopifyClientOptions {
  /** The shop, e.g. https://example.myshopify.com. */
  url: string;
  accessToken?: string;
  apiVersion: string;
  timeoutMs: number;
  retry: RetryPolicy;
  source: string;
}

/**
 * The Admin GraphQL API with Shopify's rate limits honoured: a leaky bucket of cost points
 * (`extensions.cost.throttleStatus`) waited out before a query that would not fit, `THROTTLED`
 * answers and `429 Retry-After` retried after the wait they name, 5xx and timeouts retried with
 * capped exponential backoff and jitter; anything else is permanent and fails at once.
 */
export class ShopifyGraphqlClient {
  private bucket?: { available: number; maximum: number; restoreRate: number; at: number };
  /** What the last query was priced at: the next page of the same query costs about as much. */
  private lastRequestedCost = 0;

  constructor(private readonly options: ShopifyClientOptions) {}

  async query<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    return withRetry((attempt) => this.queryOnce<T>(query, variables, attempt), this.options.retry, {
      onRetry: (attempt, delayMs, error) => logger.warn({ source: this.options.source, attempt, delayMs: Math.round(delayMs), err: causeMessage(error) }, 'shopify request failed; retrying'),
    });
  }

  private async queryOnce<T>(query: string, variables: Record<string, unknown>, attempt: number): Promise<T> {
    const expectedCost = Math.min(this.lastRequestedCost, this.bucket?.maximum ?? Infinity);
    await this.waitForBucket(expectedCost);
    const endpoint = `${this.options.url.replace(/\/$/, '')}/admin/api/${this.options.apiVersion}/graphql.json`;
    const context = { source: this.options.source };
    let response: Response;
    let text: string;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.options.accessToken ? { 'x-shopify-access-token': this.options.accessToken } : {}) },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new IngestError(`shopify ${endpoint}: ${causeMessage(error)} (attempt ${attempt})`, { ...context, transient: true }, { cause: error });
    }
    if (response.status === 429) {
      const seconds = Number(response.headers.get('retry-after') ?? 'NaN');
      const retryAfterMs = Number.isFinite(seconds) && seconds >= 0 ? Math.min(300_000, seconds * 1000) : 2000;
      throw new RetryAfterError(`shopify answered 429 Too Many Requests (Retry-After ${retryAfterMs / 1000}s)`, retryAfterMs, context);
    }
    if (response.status >= 500) throw new IngestError(`shopify answered ${response.status}: ${text.slice(0, 200)}`, { ...context, transient: true });
    if (!response.ok) {
      const hint = response.status === 401 || response.status === 403 ? ': check access_token and its read_inventory scope' : '';
      throw new IngestError(`shopify answered ${response.status}${hint}: ${text.slice(0, 200)}`, context);
    }
    let answer: GraphqlAnswer<T>;
    try {
      answer = JSON.parse(text) as GraphqlAnswer<T>;
    } catch {
      throw new IngestError(`shopify answered with a body that is not JSON: ${text.slice(0, 200)}`, { ...context, transient: true });
    }
    this.remember(answer.extensions?.cost);
    const throttled = answer.errors?.find((error) => error.extensions?.code === 'THROTTLED');
    if (throttled) throw new RetryAfterError('shopify throttled the query (cost bucket empty)', this.refillMs(expectedCost), context);
    if (answer.errors?.length) throw new IngestError(`shopify query failed: ${answer.errors.map((error) => error.message).join('; ')}`, context);
    if (!answer.data) throw new IngestError('shopify answered without data', context);
    return answer.data;
  }

  private remember(cost: QueryCost | undefined): void {
    const status = cost?.throttleStatus;
    if (status) this.bucket = { available: status.currentlyAvailable, maximum: status.maximumAvailable, restoreRate: status.restoreRate, at: Date.now() };
    if (cost?.requestedQueryCost) this.lastRequestedCost = cost.requestedQueryCost;
  }

  /** How long until the bucket holds `cost` points again. */
  private refillMs(cost: number): number {
    if (!this.bucket || this.bucket.restoreRate <= 0) return 1000;
    const available = this.bucket.available + ((Date.now() - this.bucket.at) / 1000) * this.bucket.restoreRate;
    return Math.max(0, ((Math.max(cost, 1) - available) / this.bucket.restoreRate) * 1000);
  }

  private async waitForBucket(cost: number): Promise<void> {
    const waitMs = cost > 0 ? this.refillMs(cost) : 0;
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
