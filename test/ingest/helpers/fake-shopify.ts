import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeLevel {
  sku: string | null;
  location: string;
  quantities: Record<string, number>;
}

/** What the fake does with one request: answer a page, or misbehave. */
export type FakeStep =
  | { kind: 'page' }
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  | { kind: 'throttled' }
  | { kind: 'hang'; ms: number }
  | { kind: 'page-without-cursor' }
  | { kind: 'graphql-error'; message: string };

/**
 * A local stand-in for the Shopify Admin GraphQL endpoint that answers in Shopify's shape
 * (`data.inventoryItems.edges[].node.inventoryLevels.edges[].node.quantities[]`, `pageInfo`,
 * `extensions.cost.throttleStatus`) and misbehaves on cue: each request takes the next scripted
 * step (then `page` once the script is used up).
 */
export async function startFakeShopify(items: FakeLevel[][], script: FakeStep[], pageSize: number) {
  const requests: { after: string | null; token: string | undefined; path: string }[] = [];
  const steps = [...script];
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables: { first: number; after: string | null } };
    requests.push({ after: body.variables.after, token: request.headers['x-shopify-access-token'] as string | undefined, path: request.url ?? '' });
    const step = steps.shift() ?? { kind: 'page' };
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(value));
    };
    const cost = { requestedQueryCost: 52, actualQueryCost: 12, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1950, restoreRate: 100 } };
    switch (step.kind) {
      case 'status':
        response.writeHead(step.status, { 'content-type': 'application/json', ...(step.retryAfter ? { 'retry-after': step.retryAfter } : {}) });
        response.end(step.body ?? JSON.stringify({ errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' }));
        return;
      case 'throttled':
        json(200, { errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }], extensions: { cost: { ...cost, throttleStatus: { ...cost.throttleStatus, currentlyAvailable: 40 } } } });
        return;
      case 'hang':
        await new Promise((resolve) => setTimeout(resolve, step.ms));
        if (!response.destroyed) json(200, { data: null });
        return;
      case 'graphql-error':
        json(200, { errors: [{ message: step.message, locations: [{ line: 2, column: 3 }], path: ['inventoryItems'] }] });
        return;
    }
    const start = body.variables.after ? Number(body.variables.after.replace('cursor-', '')) : 0;
    const page = items.slice(start, start + pageSize);
    const end = start + page.length;
    const hasNextPage = end < items.length;
    json(200, {
      data: {
        inventoryItems: {
          edges: page.map((levels, offset) => ({
            cursor: `cursor-${start + offset + 1}`,
            node: {
              id: `gid://shopify/InventoryItem/${start + offset + 1}`,
              sku: levels[0]?.sku ?? null,
              inventoryLevels: {
                edges: levels.map((level, index) => ({
                  node: {
                    id: `gid://shopify/InventoryLevel/${start + offset + 1}${index}?inventory_item_id=${start + offset + 1}`,
                    updatedAt: '2026-11-01T05:00:00Z',
                    location: { id: `gid://shopify/Location/${level.location === 'East DC' ? 11 : 12}`, name: level.location },
                    quantities: Object.entries(level.quantities).map(([name, quantity]) => ({ name, quantity })),
                  },
                })),
              },
            },
          })),
          pageInfo: { hasNextPage, endCursor: step.kind === 'page-without-cursor' ? null : `cursor-${end}` },
        },
      },
      extensions: { cost },
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
