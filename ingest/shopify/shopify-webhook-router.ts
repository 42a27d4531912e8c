import express, { Router } from 'express';
import type { Config } from '../../core/load-config.ts';
import { logger } from '../../core/logger.ts';
import type { Database } from '../../db/database.ts';
import { ingestBatches } from '../run-ingest.ts';
import { verifyShopifyHmac } from './verify-webhook.ts';
import { webhookBatch, webhookTopics } from './webhook-batches.ts';

/**
 * `POST /webhooks/shopify/:source`: Shopify deliveries for a `shopify-webhook` source. The body is
 * read raw (the signature covers its exact bytes), verified, then landed as one delta batch.
 * Mount before any JSON body parser.
 */
export function shopifyWebhookRouter({ config, db }: { config: Config; db: Database }): Router {
  const router = Router();
  router.post('/webhooks/shopify/:source', express.raw({ type: () => true, limit: '2mb' }), async (request, response) => {
    const source = config.sources.find((entry) => entry.name === request.params.source && entry.connector === 'shopify-webhook');
    if (!source) {
      response.status(404).json({ error: `no shopify-webhook source named ${request.params.source}` });
      return;
    }
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (!verifyShopifyHmac(body, source.webhook_secret!, request.get('x-shopify-hmac-sha256'))) {
      logger.warn({ source: source.name }, 'webhook signature does not verify; refused');
      response.status(401).json({ error: 'signature does not verify' });
      return;
    }
    const topic = request.get('x-shopify-topic') ?? '';
    const webhookId = request.get('x-shopify-webhook-id');
    if (!webhookId) {
      response.status(400).json({ error: 'X-Shopify-Webhook-Id is missing' });
      return;
    }
    if (!(webhookTopics as readonly string[]).includes(topic)) {
      // Acknowledged so Shopify does not retry a topic this source does not use.
      response.status(202).json({ status: 'ignored', topic });
      return;
    }
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      response.status(400).json({ error: 'body is not JSON' });
      return;
    }
    const delivery = { topic, webhookId, payload, receivedAt: new Date() };
    const summary = await ingestBatches(config, db, source, async () => [await webhookBatch(db, source, config, delivery)], { trigger: 'webhook' });
    const status = summary.status === 'failed' || summary.failedBatches > 0 ? 500 : 200;
    response.status(status).json({ status: summary.skipped > 0 ? 'duplicate' : summary.status, rows: summary.rows, rejected: summary.rejected, error: summary.error });
  });
  return router;
}
