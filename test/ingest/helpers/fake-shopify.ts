import { Kind, parse, type FieldNode, type SelectionSetNode, type ValueNode } from 'graphql';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Shopify Admin GraphQL endpoint, written from Shopify's documentation:
 * - shapes of the 2026-10 Admin API: `inventoryItems` / `inventoryItem` connections of
 *   `InventoryLevel`s with `quantities(names:)`, `productVariantsCount`, `bulkOperationRunQuery`
 *   and `node(id:)` on a `BulkOperation`, whose result is JSONL with `__parentId`
 *   (shopify.dev/docs/api/usage/bulk-operations/queries);
 * - cost rules of shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits: each query is priced
 *   before it runs from its text (scalar 0, object 1, connection 2 + `first` × its node, mutation
 *   10; the docs give no rule for a list of objects such as `quantities(names:)`, so each object
 *   in it costs 1, a stricter price than the connector's own estimate, which it must learn), a query over the single-query max of 1,000 points is refused with `MAX_COST_EXCEEDED`, the
 *   requested cost is taken from a leaky bucket (`maximumAvailable`, refilled at `restoreRate`
 *   points a second) or refused with `THROTTLED` when the bucket holds less, and what the answer
 *   did not use (`actualQueryCost`, priced from what was returned) goes back into the bucket.
 * It misbehaves on cue too: each request takes the next scripted step (then `answer` once the
 * script is used up).
 */

export interface FakeItem {
  sku: string | null;
  tracked?: boolean;
  levels: { location: string; quantities: Record<string, number>; updatedAt?: string }[];
}

export type FakeStep =
  | { kind: 'answer' }
  /** Another client of the same app spent the bucket: this request finds it empty. */
  | { kind: 'drain-bucket' }
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  | { kind: 'hang'; ms: number }
  | { kind: 'page-without-cursor' }
  | { kind: 'graphql-error'; message: string };

export interface FakeShopifyOptions {
  /** The bucket: Shopify's standard plan restores 100 points a second. */
  maximumAvailable?: number;
  restoreRate?: number;
  /** Polls a bulk operation answers RUNNING before it completes. */
  bulkPolls?: number;
  /** How the bulk operation ends: COMPLETED (the default), or FAILED with Shopify's error code. */
  bulkFailure?: 'ACCESS_DENIED' | 'INTERNAL_SERVER_ERROR' | 'TIMEOUT';
  /** Shopify warns not to rely on the order of JSONL lines: write them last to first. */
  bulkReversed?: boolean;
  /** Root fields the access token has no scope for: answered ACCESS_DENIED. */
  deniedFields?: string[];
}

export interface FakeRequest {
  operation: string;
  variables: Record<string, unknown>;
  token: string | undefined;
  path: string;
  requestedCost: number;
  outcome: 'answered' | 'THROTTLED' | 'MAX_COST_EXCEEDED' | 'ACCESS_DENIED' | 'scripted';
}

const singleQueryMaxCost = 1000;

export async function startFakeShopify(items: FakeItem[], script: FakeStep[] = [], options: FakeShopifyOptions = {}) {
  const requests: FakeRequest[] = [];
  const steps = [...script];
  const bucket = { maximum: options.maximumAvailable ?? 1000, restoreRate: options.restoreRate ?? 100, available: options.maximumAvailable ?? 1000, at: Date.now() };
  const locationIds = new Map<string, number>();
  const locationId = (name: string) => {
    if (!locationIds.has(name)) locationIds.set(name, 1000 + locationIds.size);
    return locationIds.get(name)!;
  };
  const bulk = new Map<string, { polls: number; query: string }>();
  let url = '';
  const parsed = new Map<string, ReturnType<typeof parse>>();

  const levelNode = (itemIndex: number, level: FakeItem['levels'][number], names: string[]) => ({
    id: `gid://shopify/InventoryLevel/${itemIndex + 1}-${locationId(level.location)}?inventory_item_id=${itemIndex + 1}`,
    updatedAt: level.updatedAt ?? '2026-11-01T05:00:00Z',
    location: { id: `gid://shopify/Location/${locationId(level.location)}`, name: level.location },
    quantities: names.filter((name) => name in level.quantities).map((name) => ({ name, quantity: level.quantities[name] })),
  });
  const itemNode = (index: number) => ({ id: `gid://shopify/InventoryItem/${index + 1}`, sku: items[index].sku, tracked: items[index].tracked ?? true });
  const levelsConnection = (index: number, first: number, after: string | null, names: string[], brokenCursor: boolean) => {
    const start = after ? Number(after.replace('level-cursor-', '')) : 0;
    const levels = items[index].levels.slice(start, start + first);
    const end = start + levels.length;
    return {
      edges: levels.map((level) => ({ node: levelNode(index, level, names) })),
      pageInfo: { hasNextPage: end < items[index].levels.length, endCursor: brokenCursor ? null : `level-cursor-${end}` },
    };
  };

  const resolve = (root: FieldNode, variables: Record<string, unknown>, step: FakeStep): unknown => {
    const argument = (field: FieldNode, name: string) => valueOfNode(field.arguments?.find((entry) => entry.name.value === name)?.value, variables);
    const names = (quantityNames(root, variables) ?? []) as string[];
    switch (root.name.value) {
      case 'productVariantsCount':
        return { count: items.length };
      case 'inventoryItems': {
        const first = argument(root, 'first') as number;
        const after = argument(root, 'after') as string | null;
        const levelsFirst = nestedFirst(root, 'inventoryLevels', variables);
        const start = after ? Number(after.replace('cursor-', '')) : 0;
        const indexes = Array.from({ length: Math.max(0, Math.min(first, items.length - start)) }, (_, offset) => start + offset);
        const end = start + indexes.length;
        return {
          edges: indexes.map((index) => ({ node: { ...itemNode(index), inventoryLevels: levelsConnection(index, levelsFirst, null, names, false) } })),
          pageInfo: { hasNextPage: end < items.length, endCursor: step.kind === 'page-without-cursor' ? null : `cursor-${end}` },
        };
      }
      case 'inventoryItem': {
        const index = Number(String(argument(root, 'id')).replace('gid://shopify/InventoryItem/', '')) - 1;
        if (!items[index]) return null;
        const levels = root.selectionSet!.selections.find((selection): selection is FieldNode => selection.kind === Kind.FIELD && selection.name.value === 'inventoryLevels')!;
        return { inventoryLevels: levelsConnection(index, argument(levels, 'first') as number, argument(levels, 'after') as string | null, names, step.kind === 'page-without-cursor') };
      }
      case 'bulkOperationRunQuery': {
        const id = `gid://shopify/BulkOperation/${bulk.size + 1}`;
        bulk.set(id, { polls: 0, query: argument(root, 'query') as string });
        return { bulkOperation: { id, status: 'CREATED' }, userErrors: [] };
      }
      case 'node': {
        const id = argument(root, 'id') as string;
        const operation = bulk.get(id);
        if (!operation) return null;
        operation.polls++;
        const done = operation.polls > (options.bulkPolls ?? 1);
        if (done && options.bulkFailure) return { id, status: 'FAILED', errorCode: options.bulkFailure, objectCount: '0', url: null, partialDataUrl: null };
        return { id, status: done ? 'COMPLETED' : 'RUNNING', errorCode: null, objectCount: done ? String(items.reduce((sum, item) => sum + 1 + item.levels.length, 0)) : '0', url: done ? `${url}/bulk/${encodeURIComponent(id)}.jsonl` : null, partialDataUrl: null };
      }
      default:
        throw new Error(`the fake shop does not answer ${root.name.value}`);
    }
  };

  /** The JSONL Shopify writes for a bulk query of items and their levels: each level after its item. */
  const bulkResult = (query: string) => {
    const names = (quantityNames(operationRoot(parse(query)), {}) ?? []) as string[];
    const lines: string[] = [];
    items.forEach((item, index) => {
      lines.push(JSON.stringify(itemNode(index)));
      for (const level of item.levels) lines.push(JSON.stringify({ ...levelNode(index, level, names), __parentId: `gid://shopify/InventoryItem/${index + 1}` }));
    });
    if (options.bulkReversed) lines.reverse();
    return lines.length > 0 ? `${lines.join('\n')}\n` : '';
  };

  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(value));
    };
    const bulkPath = /^\/bulk\/(.+)\.jsonl$/.exec(request.url ?? '');
    if (request.method === 'GET' && bulkPath) {
      const operation = bulk.get(decodeURIComponent(bulkPath[1]));
      response.writeHead(operation ? 200 : 404, { 'content-type': 'application/jsonl' });
      response.end(operation ? bulkResult(operation.query) : '');
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown> };
    const variables = body.variables ?? {};
    const document = parsed.get(body.query) ?? parse(body.query);
    parsed.set(body.query, document);
    const root = operationRoot(document);
    const definition = document.definitions[0] as { operation?: string };
    const requestedCost = definition.operation === 'mutation' ? 10 : selectionCost(root.selectionSet ? { kind: Kind.SELECTION_SET, selections: [root] } : undefined, variables);
    const record: FakeRequest = { operation: root.name.value, variables, token: request.headers['x-shopify-access-token'] as string | undefined, path: request.url ?? '', requestedCost, outcome: 'scripted' };
    requests.push(record);
    const step = steps.shift() ?? { kind: 'answer' };
    const version = /\/admin\/api\/([^/]+)\//.exec(request.url ?? '')?.[1] ?? 'unstable';
    const headers = { 'x-shopify-api-version': version };
    switch (step.kind) {
      case 'status':
        response.writeHead(step.status, { 'content-type': 'application/json', ...(step.retryAfter ? { 'retry-after': step.retryAfter } : {}) });
        response.end(step.body ?? JSON.stringify({ errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' }));
        return;
      case 'hang':
        await new Promise((resolve) => setTimeout(resolve, step.ms));
        if (!response.destroyed) json(200, { data: null });
        return;
      case 'graphql-error':
        json(200, { errors: [{ message: step.message, locations: [{ line: 2, column: 3 }], path: [root.name.value] }] });
        return;
    }
    if (options.deniedFields?.includes(root.name.value)) {
      record.outcome = 'ACCESS_DENIED';
      json(200, { errors: [{ message: `Access denied for ${root.name.value} field. Required access: \`read_products\` access scope.`, locations: [{ line: 1, column: 21 }], path: [root.name.value], extensions: { code: 'ACCESS_DENIED', documentation: 'https://shopify.dev/api/usage/access-scopes', requiredAccess: '`read_products` access scope.' } }] }, headers);
      return;
    }
    // The leaky bucket: refilled continuously since the last request, never past its maximum.
    const now = Date.now();
    bucket.available = Math.min(bucket.maximum, bucket.available + ((now - bucket.at) / 1000) * bucket.restoreRate);
    bucket.at = now;
    if (step.kind === 'drain-bucket') bucket.available = 0;
    const throttleStatus = () => ({ maximumAvailable: bucket.maximum, currentlyAvailable: Math.floor(bucket.available), restoreRate: bucket.restoreRate });
    if (requestedCost > singleQueryMaxCost) {
      record.outcome = 'MAX_COST_EXCEEDED';
      json(200, {
        errors: [{ message: `Query cost is ${requestedCost}, which exceeds the single query max cost limit (${singleQueryMaxCost}).`, extensions: { code: 'MAX_COST_EXCEEDED', cost: requestedCost, maxCost: singleQueryMaxCost } }],
        extensions: { cost: { requestedQueryCost: requestedCost, actualQueryCost: null, throttleStatus: throttleStatus() } },
      }, headers);
      return;
    }
    if (requestedCost > bucket.available) {
      record.outcome = 'THROTTLED';
      json(200, {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost: requestedCost, actualQueryCost: null, throttleStatus: throttleStatus() } },
      }, headers);
      return;
    }
    bucket.available -= requestedCost;
    const data = { [root.alias?.value ?? root.name.value]: resolve(root, variables, step) };
    const actualQueryCost = definition.operation === 'mutation' ? 10 : actualCost({ kind: Kind.SELECTION_SET, selections: [root] }, data);
    bucket.available += requestedCost - actualQueryCost;
    record.outcome = 'answered';
    json(200, { data, extensions: { cost: { requestedQueryCost: requestedCost, actualQueryCost, throttleStatus: throttleStatus() } } }, headers);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function operationRoot(document: ReturnType<typeof parse>): FieldNode {
  const definition = document.definitions[0];
  if (definition.kind !== Kind.OPERATION_DEFINITION) throw new Error('not an operation');
  return definition.selectionSet.selections.find((selection): selection is FieldNode => selection.kind === Kind.FIELD)!;
}

function valueOfNode(value: ValueNode | undefined, variables: Record<string, unknown>): unknown {
  if (!value) return undefined;
  switch (value.kind) {
    case Kind.VARIABLE:
      return variables[value.name.value] ?? null;
    case Kind.INT:
      return Number(value.value);
    case Kind.STRING:
    case Kind.ENUM:
      return value.value;
    case Kind.LIST:
      return value.values.map((entry) => valueOfNode(entry, variables));
    case Kind.NULL:
      return null;
    default:
      return undefined;
  }
}

function fields(selectionSet: SelectionSetNode | undefined): FieldNode[] {
  const found: FieldNode[] = [];
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) found.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) found.push(...fields(selection.selectionSet));
  }
  return found;
}

function sizeOf(field: FieldNode, variables: Record<string, unknown>): number | undefined {
  for (const name of ['first', 'last']) {
    const value = valueOfNode(field.arguments?.find((entry) => entry.name.value === name)?.value, variables);
    if (typeof value === 'number') return value;
  }
  return undefined;
}

/** A connection's node selection (`edges { node { … } }`). */
function nodeSelection(field: FieldNode): SelectionSetNode | undefined {
  const edges = fields(field.selectionSet).find((entry) => entry.name.value === 'edges');
  return fields(edges?.selectionSet).find((entry) => entry.name.value === 'node')?.selectionSet;
}

const isConnection = (field: FieldNode) => fields(field.selectionSet).some((entry) => entry.name.value === 'edges');

/** Shopify's requested cost: scalar 0, object 1, connection 2 + first × node; a connection must be sized. */
function selectionCost(selectionSet: SelectionSetNode | undefined, variables: Record<string, unknown>): number {
  let cost = 0;
  for (const field of fields(selectionSet)) {
    if (!field.selectionSet || field.name.value === 'pageInfo') continue;
    if (isConnection(field)) {
      const size = sizeOf(field, variables);
      if (size === undefined) throw new Error(`connection ${field.name.value} needs first or last`);
      cost += 2 + size * (1 + selectionCost(nodeSelection(field), variables));
    } else if (field.name.value === 'quantities') {
      // A list of objects, each an object: as many as the names asked for.
      cost += (valueOfNode(field.arguments?.find((entry) => entry.name.value === 'names')?.value, variables) as unknown[]).length;
    } else cost += 1 + selectionCost(field.selectionSet, variables);
  }
  return cost;
}

/** The same rules over what was returned: a connection costs 2 plus the nodes it holds. */
function actualCost(selectionSet: SelectionSetNode | undefined, data: unknown): number {
  if (data === null || typeof data !== 'object') return 0;
  let cost = 0;
  for (const field of fields(selectionSet)) {
    if (!field.selectionSet || field.name.value === 'pageInfo') continue;
    const value = (data as Record<string, unknown>)[field.alias?.value ?? field.name.value];
    if (value === null || value === undefined) continue;
    if (isConnection(field)) {
      const edges = (value as { edges: { node: unknown }[] }).edges;
      cost += 2 + edges.reduce((sum, edge) => sum + 1 + actualCost(nodeSelection(field), edge.node), 0);
    } else cost += Array.isArray(value) ? value.length : 1 + actualCost(field.selectionSet, value);
  }
  return cost;
}

function nestedFirst(root: FieldNode, name: string, variables: Record<string, unknown>): number {
  const field = fieldsDeep(root).find((entry) => entry.name.value === name);
  return (field && sizeOf(field, variables)) ?? 0;
}

function quantityNames(root: FieldNode, variables: Record<string, unknown>): unknown {
  const field = fieldsDeep(root).find((entry) => entry.name.value === 'quantities');
  return field && valueOfNode(field.arguments?.find((entry) => entry.name.value === 'names')?.value, variables);
}

function fieldsDeep(field: FieldNode): FieldNode[] {
  return fields(field.selectionSet).flatMap((child) => [child, ...fieldsDeep(child)]);
}
