import express, { Router } from 'express';
import { parseDurationMs } from '../../core/duration.ts';
import type { Config } from '../../core/load-config.ts';
import { logger } from '../../core/logger.ts';
import type { Database } from '../../db/database.ts';
import { failureLimiter } from '../../server/auth/failure-limiter.ts';
import { ingestBatches } from '../run-ingest.ts';
import { verifyShopifyHmac } from './verify-webhook.ts';
import { WebhookRefusal, parseDelivery, webhookBatch } from './webhook-batches.ts';

/**
 * `POST /webhooks/shopify/:source`: Shopify deliveries for a `shopify-webhook` source. The body is
 * read raw (the signature covers its exact bytes), verified, checked against its topic, then
 * landed as one delta batch. Mount before any JSON body parser.
 *
 * Deliveries of one source are handled one at a time, in arrival order: whether a delivery is
 * newer than what landed is decided against the landings before it, so two at once must not both
 * pass the check. Failed deliveries (bad signature, wrong topic, unreadable body) count against
 * the sender's address like failed sign-ins, and too many answer 429.
 */
export function shopifyWebhookRouter({ config, db }: { config: Config; db: Database }): Router {
  const router = Router();
  const queues = new Map<string, Promise<unknown>>();
  const inTurn = <T>(source: string, work: () => Promise<T>): Promise<T> => {
    const next = (queues.get(source) ?? Promise.resolve()).then(work, work);
    queues.set(source, next.catch(() => undefined));
    return next;
  };
  const failures = failureLimiter(config.server.auth_failure_limit, parseDurationMs(config.server.auth_failure_window)!, (status) => status === 400 || status === 401);
  router.post('/webhooks/shopify/:source', failures, express.raw({ type: () => true, limit: '2mb' }), async (request, response) => {
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
    const webhookId = request.get('x-shopify-webhook-id');
    if (!webhookId) {
      response.status(400).json({ error: 'X-Shopify-Webhook-Id is missing' });
      return;
    }
    let delivery: ReturnType<typeof parseDelivery>;
    try {
      delivery = parseDelivery(request.get('x-shopify-topic') ?? '', body, webhookId, new Date());
    } catch (error) {
      if (!(error instanceof WebhookRefusal)) throw error;
      logger.warn({ source: source.name, topic: request.get('x-shopify-topic'), webhookId }, `webhook refused: ${error.message}`);
      response.status(400).json({ error: error.message });
      return;
    }
    await inTurn(source.name, async () => {
      const landing = await webhookBatch(db, source, config, delivery);
      if ('skipped' in landing) {
        // Acknowledged, so Shopify does not retry old news; nothing lands and no run is recorded.
        response.status(200).json({ status: landing.skipped, detail: landing.detail });
        return;
      }
      const summary = await ingestBatches(config, db, source, async () => [landing.batch], { trigger: 'webhook' });
      const status = summary.status === 'failed' || summary.failedBatches > 0 ? 500 : 200;
      response.status(status).json({ status: summary.skipped > 0 ? 'duplicate' : summary.status, rows: summary.rows, rejected: summary.rejected, error: summary.error });
    });
  });
  return router;
}
