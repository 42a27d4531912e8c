import { afterEach } from 'vitest';
import type { Database } from '../../../db/database.ts';
import { ensureLandingSchema } from '../../../ingest/ensure-schema.ts';
import { signShopifyBody } from '../../../ingest/shopify/verify-webhook.ts';
import { startServer, type RunningServer } from '../../../server/start-server.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';
import { openSetup, writeFiles } from './ingest-setup.ts';

export interface WebhookServerOptions {
  /** The source's `sku_map` file, as JSON text. */
  skuMap: string;
  /** More keys of the `shopify-hooks` source, in YAML flow style (`location_map: { "655441": WH-EAST }`). */
  sourceKeys?: string;
  /** More top-level config (`server: { … }`). */
  configYaml?: string;
}

export interface DeliveryOptions {
  /** `X-Shopify-Webhook-Id`; a new one per delivery unless given (a redelivery keeps its id). */
  id?: string;
  /** `X-Shopify-Hmac-SHA256`; the body signed with the source's secret unless given. */
  signature?: string;
}

export interface WebhookServer {
  db: Database;
  /** POSTs a body to the source's address as Shopify does: its topic, webhook id and signature. */
  deliver(topic: string, body: string, options?: DeliveryOptions): Promise<Response>;
}

/**
 * The webhook tests' set-up: a real server (so a test also proves the webhook router is mounted
 * ahead of the JSON parser) with one `shopify-webhook` source, `shopify-hooks`, signing with
 * `secret`, selling from WH-EAST. The server and its database are closed after each test.
 */
export function useWebhookServer(secret: string): (options: WebhookServerOptions) => Promise<WebhookServer> {
  const tempDir = useTempDir();
  let server: RunningServer | undefined;
  let db: Database | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    db?.closeSync();
    db = undefined;
  });
  return async ({ skuMap, sourceKeys, configYaml = '' }) => {
    const dir = tempDir();
    writeFiles(dir, '.', { 'sku-map.json': skuMap });
    const setup = await openSetup(
      dir,
      `sources:
  - { name: shopify-hooks, system: ecommerce, connector: shopify-webhook, webhook_secret: ${secret}, ${sourceKeys ? `${sourceKeys}, ` : ''}sku_map: ./sku-map.json }
locations:
  - { id: WH-EAST, name: East DC }
channels:
  - { name: web, kind: web, source: shopify-hooks, locations: [WH-EAST] }
${configYaml}`,
    );
    db = setup.db;
    await ensureLandingSchema(db);
    server = await startServer(setup.config, db, 0);
    const url = `${server.url}/webhooks/shopify/shopify-hooks`;
    const deliver = (topic: string, body: string, options: DeliveryOptions = {}) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': topic,
          'x-shopify-webhook-id': options.id ?? crypto.randomUUID(),
          'x-shopify-hmac-sha256': options.signature ?? signShopifyBody(body, secret),
        },
        body,
      });
    return { db, deliver };
  };
}
