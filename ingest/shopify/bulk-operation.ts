import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { IngestError, causeMessage } from '../../core/errors.ts';
import type { ShopifyGraphqlClient } from './shopify-graphql-client.ts';

const runMutation = `mutation RunBulkQuery($query: String!) {
  bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message } }
}`;

const statusQuery = `query BulkOperationStatus($id: ID!) {
  node(id: $id) { ... on BulkOperation { id status errorCode objectCount url partialDataUrl } }
}`;

interface BulkOperation {
  id: string;
  status: 'CREATED' | 'RUNNING' | 'COMPLETED' | 'CANCELING' | 'CANCELED' | 'FAILED' | 'EXPIRED';
  errorCode?: string | null;
  objectCount?: string;
  url?: string | null;
}

/** Polling starts quick (a small shop finishes in a second) and slows to this. */
const firstPollMs = 250;
const maxPollMs = 10_000;
/** Longer than this and the run fails: Shopify keeps a result for a week, but a snapshot this late is stale. */
const maxWaitMs = 2 * 3600_000;

/**
 * Runs `query` as a Shopify bulk operation (`bulkOperationRunQuery`), polls it until it ends and
 * streams its JSONL result: one object per line, each nested connection's nodes on their own
 * lines after their parent, pointing at it with `__parentId`. The operation runs on Shopify's
 * side outside the cost bucket: the way Shopify recommends reading a whole catalogue.
 */
export async function* runBulkQuery(client: ShopifyGraphqlClient, query: string, timeoutMs: number, source: string): AsyncGenerator<Record<string, unknown>> {
  const { data } = await client.query<{ bulkOperationRunQuery: { bulkOperation: BulkOperation | null; userErrors: { field?: string[]; message: string }[] } }>(runMutation, { query }, 10);
  const { bulkOperation, userErrors } = data.bulkOperationRunQuery;
  if (userErrors.length > 0 || !bulkOperation) {
    throw new IngestError(`source ${source}: shopify refused the bulk operation: ${userErrors.map((error) => error.message).join('; ') || 'no operation returned'}`, { source });
  }
  const operation = await waitForOperation(client, bulkOperation.id, source);
  // A catalogue with nothing in it completes without a result file.
  if (!operation.url) return;
  let response: Response;
  try {
    response = await fetch(operation.url, { signal: AbortSignal.timeout(Math.max(timeoutMs, 600_000)) });
  } catch (error) {
    throw new IngestError(`source ${source}: cannot download the bulk operation result: ${causeMessage(error)}`, { source, transient: true }, { cause: error });
  }
  if (!response.ok || !response.body) {
    throw new IngestError(`source ${source}: the bulk operation result answered ${response.status}`, { source, transient: response.status >= 500 });
  }
  let lineNumber = 0;
  for await (const line of createInterface({ input: Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), crlfDelay: Infinity })) {
    lineNumber++;
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new IngestError(`source ${source}: line ${lineNumber} of the bulk operation result is not JSON: ${line.slice(0, 120)}`, { source });
    }
  }
}

async function waitForOperation(client: ShopifyGraphqlClient, id: string, source: string): Promise<BulkOperation> {
  const startedAt = Date.now();
  for (let pollMs = firstPollMs; ; pollMs = Math.min(maxPollMs, pollMs * 2)) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const { data } = await client.query<{ node: BulkOperation | null }>(statusQuery, { id }, 1);
    const operation = data.node;
    if (!operation) throw new IngestError(`source ${source}: shopify no longer knows bulk operation ${id}`, { source });
    if (operation.status === 'COMPLETED') return operation;
    if (operation.status === 'FAILED' || operation.status === 'CANCELED' || operation.status === 'EXPIRED') {
      throw new IngestError(`source ${source}: shopify bulk operation ${id} ended ${operation.status}${operation.errorCode ? ` (${operation.errorCode})` : ''}; no snapshot landed`, {
        source,
        transient: operation.errorCode === 'INTERNAL_SERVER_ERROR' || operation.errorCode === 'TIMEOUT',
      });
    }
    if (Date.now() - startedAt > maxWaitMs) throw new IngestError(`source ${source}: shopify bulk operation ${id} still ${operation.status} after 2 hours; no snapshot landed`, { source, transient: true });
  }
}
