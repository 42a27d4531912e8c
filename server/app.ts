import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Config } from '../core/load-config.ts';
import { logger } from '../core/logger.ts';
import type { Database } from '../db/database.ts';
import type { DashboardBundle } from './dashboard-bundle.ts';
import { atsRoutes } from './routes/ats.ts';
import { shopifyWebhookRouter } from '../ingest/shopify/shopify-webhook-router.ts';

export interface AppContext {
  config: Config;
  db: Database;
  dashboard: DashboardBundle;
}

/** The one express app: JSON API over the marts and the dashboard's assets. */
export function createApp(context: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(shopifyWebhookRouter(context)); // before the JSON parser: signatures cover the raw body
  app.use(express.json({ limit: '1mb' }));
  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.use(atsRoutes(context.db));
  app.get('/assets/app.js', (_request, response) => {
    response.type('application/javascript').send(context.dashboard.js);
  });
  app.get('/', (_request, response) => {
    response.type('html').send(context.dashboard.html);
  });
  app.use('/api', (_request, response) => {
    response.status(404).json({ error: 'no such endpoint' });
  });
  const onError: ErrorRequestHandler = (error, request, response, _next) => {
    logger.error({ err: error, url: request.url }, 'request failed');
    response.status(500).json({ error: error instanceof Error ? error.message : String(error) });
  };
  app.use(onError);
  return app;
}
