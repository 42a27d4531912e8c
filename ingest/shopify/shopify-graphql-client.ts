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

interface GraphqlError {
  message: string;
  extensions?: { code?: string; cost?: number; maxCost?: number };
}

interface GraphqlAnswer<T> {
  data?: T;
  errors?: GraphqlError[];
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
 * Shopify refused a query whose requested cost is over its single-query limit (1,000 points on
 * every plan): the caller asks for less (a smaller page), it is never retried as it stands.
 */
export class QueryCostError extends IngestError {
  constructor(
    message: string,
    readonly cost: number,
    readonly maxCost: number,
    context: ConstructorParameters<typeof IngestError>[1] = {},
  ) {
    super(message, context);
  }
}

/** The access token lacks a scope the query needs (`ACCESS_DENIED`): permanent until the app is granted it. */
export class AccessDeniedError extends IngestError {}

/** The cost bucket is empty: wait `retryAfterMs`, as the bucket's restore rate says. Not a failure. */
class ThrottledError extends IngestError {
  constructor(readonly retryAfterMs: number, context: ConstructorParameters<typeof IngestError>[1]) {
    super(`shopify throttled the query (cost bucket empty; waiting ${Math.ceil(retryAfterMs)} ms)`, context);
  }
}

/** THROTTLED answers in a row before the run gives up: a bucket that never refills is an outage. */
const maxThrottledInARow = 50;

export interface QueryAnswer<T> {
  data: T;
  cost?: QueryCost;
}

/**
 * The Admin GraphQL API with Shopify's rate limits honoured: a leaky bucket of cost points
 * (`extensions.cost.throttleStatus`) waited out before a query that would not fit, a `THROTTLED`
 * answer waited out for as long as the bucket needs to refill the query's cost (not counted as a
 * failed attempt), `MAX_COST_EXCEEDED` handed back as a `QueryCostError` so the caller can ask for
 * less, `429 Retry-After` retried after the wait it names, 5xx and timeouts retried with capped
 * exponential backoff and jitter; anything else is permanent and fails at once.
 */
export class ShopifyGraphqlClient {
  private bucket?: { available: number; maximum: number; restoreRate: number; at: number };
  private versionChecked = false;

  constructor(private readonly options: ShopifyClientOptions) {}

  /** The bucket's size, once an answer has said it. */
  get bucketMaximum(): number | undefined {
    return this.bucket?.maximum;
  }

  /** Runs a query expected to cost about `expectedCost` points (waited for in the bucket first). */
  async query<T>(query: string, variables: Record<string, unknown>, expectedCost = 0): Promise<QueryAnswer<T>> {
    for (let throttled = 0; ; throttled++) {
      try {
        await this.waitForBucket(expectedCost);
        return await withRetry((attempt) => this.queryOnce<T>(query, variables, attempt, expectedCost), this.options.retry, {
          onRetry: (attempt, delayMs, error) => logger.warn({ source: this.options.source, attempt, delayMs: Math.round(delayMs), err: causeMessage(error) }, 'shopify request failed; retrying'),
        });
      } catch (error) {
        if (!(error instanceof ThrottledError) || throttled >= maxThrottledInARow) throw error;
        await sleep(error.retryAfterMs);
      }
    }
  }

  private async queryOnce<T>(query: string, variables: Record<string, unknown>, attempt: number, expectedCost: number): Promise<QueryAnswer<T>> {
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
    this.checkServedVersion(response.headers.get('x-shopify-api-version'));
    let answer: GraphqlAnswer<T>;
    try {
      answer = JSON.parse(text) as GraphqlAnswer<T>;
    } catch {
      throw new IngestError(`shopify answered with a body that is not JSON: ${text.slice(0, 200)}`, { ...context, transient: true });
    }
    const cost = answer.extensions?.cost;
    this.remember(cost);
    const codes = new Map((answer.errors ?? []).map((error) => [error.extensions?.code, error]));
    if (codes.has('THROTTLED')) throw new ThrottledError(this.refillMs(cost?.requestedQueryCost ?? expectedCost), context);
    const tooCostly = codes.get('MAX_COST_EXCEEDED');
    if (tooCostly) {
      const requested = tooCostly.extensions?.cost ?? cost?.requestedQueryCost ?? NaN;
      throw new QueryCostError(`shopify refused the query: ${tooCostly.message}`, requested, tooCostly.extensions?.maxCost ?? 1000, context);
    }
    const denied = codes.get('ACCESS_DENIED');
    if (denied) throw new AccessDeniedError(`shopify denied access: ${denied.message}`, context);
    if (answer.errors?.length) throw new IngestError(`shopify query failed: ${answer.errors.map((error) => error.message).join('; ')}`, context);
    if (!answer.data) throw new IngestError('shopify answered without data', context);
    return { data: answer.data, cost };
  }

  /** Shopify serves the oldest supported version instead of one past its support: say so once. */
  private checkServedVersion(served: string | null): void {
    if (this.versionChecked || !served) return;
    this.versionChecked = true;
    if (served !== this.options.apiVersion) {
      logger.warn({ source: this.options.source, requested: this.options.apiVersion, served }, `shopify answered with API version ${served}, not the configured ${this.options.apiVersion}: that version is no longer supported; set api_version to a supported one`);
    }
  }

  private remember(cost: QueryCost | undefined): void {
    const status = cost?.throttleStatus;
    if (status) this.bucket = { available: status.currentlyAvailable, maximum: status.maximumAvailable, restoreRate: status.restoreRate, at: Date.now() };
  }

  /** How long until the bucket holds `cost` points again (never more than the bucket can hold). */
  private refillMs(cost: number): number {
    if (!this.bucket || this.bucket.restoreRate <= 0) return 1000;
    const wanted = Math.min(Math.max(cost, 1), this.bucket.maximum);
    const available = this.bucket.available + ((Date.now() - this.bucket.at) / 1000) * this.bucket.restoreRate;
    return Math.max(0, ((wanted - available) / this.bucket.restoreRate) * 1000);
  }

  private async waitForBucket(cost: number): Promise<void> {
    const waitMs = cost > 0 ? this.refillMs(cost) : 0;
    if (waitMs > 0) await sleep(waitMs);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
