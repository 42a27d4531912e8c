import { timingSafeEqual } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express, type Request, type Response } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Config } from '../core/load-config.ts';
import { StocklensError } from '../core/errors.ts';
import { logger } from '../core/logger.ts';
import { pipeline } from '../core/pipeline-coordinator.ts';
import type { Database } from '../db/database.ts';
import { authenticate, principalOf, requireRole, sessionIdOf } from './auth/authenticate.ts';
import { FailureLimiter } from './auth/failure-limiter.ts';
import { requireSameOrigin } from './auth/same-origin.ts';
import { loginRoutes } from './auth/login-routes.ts';
import { sameSiteBouncePage } from './auth/sign-in-page.ts';
import type { TokenStore } from './auth/token-store.ts';
import { parseDurationMs } from '../core/duration.ts';
import { defaultViewWarmers } from './default-views.ts';
import { sendDashboardScript, type DashboardBundle } from './dashboard-bundle.ts';
import { HttpError } from './http-error.ts';
import { httpDuration, registry } from './metrics.ts';
import { QueryGate } from './query-gate.ts';
import { RelationCatalog } from './relation-catalog.ts';
import { ResponseCache } from './response-cache.ts';
import { adminRoutes, type AdminActions } from './routes/admin-routes.ts';
import { alertRoutes } from './routes/alert-routes.ts';
import { shopifyWebhookRouter } from '../ingest/shopify/shopify-webhook-router.ts';
import { atsRoutes } from './routes/ats.ts';
import { exportRoutes } from './routes/export-routes.ts';
import { martRoutes } from './routes/mart-routes.ts';
import { opsRoutes } from './routes/ops-routes.ts';
import { sessionRoutes } from './routes/session-routes.ts';
import { sqlRoutes } from './routes/sql-routes.ts';
import { consoleRoutes } from './routes/console-routes.ts';
import { ConsoleStore } from './console/console-store.ts';
import type { EndpointContext } from './table-endpoint.ts';

export interface AppContext {
  config: Config;
  db: Database;
  dashboard: DashboardBundle;
  tokens: TokenStore;
  actions?: AdminActions;
}

/** A URL for logs: a sign-in link's token never reaches them. */
export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(/([?&]token=)[^&#]*/gi, '$1[redacted]');
}

const healthTimeoutMs = 5_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** The express app, and its answer cache's life: warmed at start and after each publish, stopped on close. */
export interface ServerApp {
  app: Express;
  endpoints: EndpointContext;
  /** Reads the dashboard's default views into the cache (call once listening). */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

/** The one express app: auth, the JSON/CSV/Arrow API over the marts, analyst SQL, exports, the dashboard. */
export function createApp(context: AppContext): ServerApp {
  const { config, db, tokens } = context;
  const endpoints: EndpointContext = { config, db, catalog: new RelationCatalog(db), cache: new ResponseCache(), gate: new QueryGate(), warmers: new Map() };
  const stopListening = pipeline.onPublished(() => {
    endpoints.catalog.invalidate();
    // The new build's default views are read first, then every other answer in use.
    endpoints.cache.invalidate(defaultViewWarmers(endpoints));
  });

  const app = express();
  app.disable('x-powered-by');
  // Behind a reverse proxy the client's address and https come from its X-Forwarded-* headers.
  app.set('trust proxy', config.server.trust_proxy);
  app.use((request, response, next) => {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const route = request.route?.path ? String(request.route.path) : response.statusCode === 404 ? 'unmatched' : request.path.startsWith('/api') ? 'api' : 'other';
      httpDuration.observe({ method: request.method, route, status: String(response.statusCode) }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  });
  app.use(
    pinoHttp({
      logger,
      serializers: {
        req: (request: Request) => ({ method: request.method, url: redactUrl(request.url) }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
      // An unexpected failure is logged with its error by the error handler; the access line stays info
      // (a 503 for a mart not built yet is an answer, not a fault).
      customLogLevel: (_request, response) => (response.statusCode >= 500 && response.statusCode !== 503 ? 'warn' : 'info'),
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // Lit's adopted stylesheets and Plot's SVG style attributes are inline styles.
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'", 'data:'],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      // Served on plain http://localhost by default: HSTS there would only confuse a later https setup.
      strictTransportSecurity: false,
    }),
  );

  // Healthy when the database answers: after DuckDB invalidated it (a checkpoint on a full disk)
  // this reports why until it could be reopened, and every call that needs it answers 503.
  app.get('/healthz', async (_request, response) => {
    const health = await Promise.race([db.health(), sleep(healthTimeoutMs).then(() => ({ ok: false as const, error: `the database did not answer within ${healthTimeoutMs / 1000} s` }))]);
    if (health.ok) return void response.json({ status: 'ok' });
    response.status(503).json({ status: 'unhealthy', error: health.error });
  });
  // Prometheus scrapes with `server.metrics_token`; anyone else needs an admin's token (the
  // metrics name admin actions per route), unless the operator opened them.
  const sendMetrics = async (_request: Request, response: Response) => {
    response.set('Cache-Control', 'no-store').type(registry.contentType).send(await registry.metrics());
  };
  app.get('/metrics', (request, response, next) => {
    if (config.server.metrics_open || bearerMatches(request, config.server.metrics_token)) return void sendMetrics(request, response).catch(next);
    next();
  });

  // Shopify signs the raw body: its webhooks come before the JSON parser, and HMAC is their auth.
  app.use(shopifyWebhookRouter(context));
  const failures = new FailureLimiter(config.server.auth_failure_limit, parseDurationMs(config.server.auth_failure_window)!);
  app.use(authenticate(tokens));
  app.use(failures.middleware());
  app.use(express.json({ limit: '1mb' }));
  app.use(requireSameOrigin(config.server.public_url));
  app.use(loginRoutes(tokens, parseDurationMs(config.server.session_ttl)!, failures, { secureCookie: config.server.public_url?.startsWith('https:') }));
  app.get('/metrics', requireRole('admin'), sendMetrics);
  app.use(sessionRoutes(endpoints));
  app.use(atsRoutes(endpoints));
  app.use(martRoutes(endpoints));
  app.use(opsRoutes(endpoints));
  const consoleStore = new ConsoleStore(db);
  app.use(consoleRoutes(consoleStore));
  app.use(sqlRoutes(endpoints, consoleStore));
  app.use(exportRoutes(endpoints));
  const actions = context.actions ?? {};
  app.use(adminRoutes(endpoints, tokens, actions));
  app.use(alertRoutes(endpoints, actions));

  app.get('/assets/app.js', (request, response) => sendDashboardScript(request, response, context.dashboard));
  app.get('/', (request, response) => {
    if (principalOf(response)) return void response.type('html').send(withTimeZone(context.dashboard.html, config.timezone));
    // A link from another site arrives without the SameSite=Strict cookie: reload once from here.
    if (request.get('sec-fetch-site') === 'cross-site' && sessionIdOf(request) === undefined) return void response.type('html').send(sameSiteBouncePage());
    response.redirect(303, `/login?next=${encodeURIComponent(request.originalUrl)}`);
  });
  app.use('/api', (_request, response) => {
    response.status(404).json({ error: 'no such endpoint' });
  });

  const onError: ErrorRequestHandler = (error, request, response, _next) => {
    const status = statusOf(error);
    const expected = error instanceof HttpError || status < 500 || status === 503 || status === 507;
    if (!expected) logger.error({ err: error, url: redactUrl(request.originalUrl) }, 'request failed');
    if (response.headersSent) return void response.destroy();
    if (error instanceof HttpError) response.set(error.headers);
    response.status(status).json({ error: expected ? messageOf(error, status) : `internal error: ${messageOf(error, status)}` });
  };
  app.use(onError);
  return {
    app,
    endpoints,
    warmUp: () => endpoints.cache.warmUp(defaultViewWarmers(endpoints)),
    async close() {
      stopListening();
      await endpoints.cache.close();
    },
  };
}

function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (error instanceof StocklensError) return 400;
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 600) return status; // body-parser: bad JSON, too large
  // The disk under the database is full: nothing is lost (the write rolled back), writes work again once there is space.
  if (/No space left on device/i.test(messageOf(error, 500))) return 507;
  // A mart dropped between the catalog check and the query (a rebuild without write-audit-publish).
  if (/^Catalog Error: Table with name \w+ does not exist/.test(messageOf(error, 500))) return 503;
  return 500;
}

function messageOf(error: unknown, status: number): string {
  const message = error instanceof Error ? error.message : String(error);
  if (status === 507) return `the disk the database is on is full, so this change was not saved (nothing was lost): free space there and try again (${message.split('\n')[0]})`;
  if (status === 400 && (error as { type?: string }).type === 'entity.parse.failed') return `the request body is not valid JSON: ${message}`;
  return message;
}

/** Whether the request carries `Authorization: Bearer <expected>` (compared in constant time). */
function bearerMatches(request: Request, expected: string | undefined): boolean {
  if (!expected) return false;
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(request.get('authorization') ?? '')?.[1];
  if (presented === undefined) return false;
  const [a, b] = [Buffer.from(presented), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The page carries the config's zone, so that the dashboard shows every time in it from the first paint. */
function withTimeZone(html: string, timeZone: string): string {
  return html.replace('<head>', `<head>\n    <meta name="stocklens-timezone" content="${timeZone.replace(/[^A-Za-z0-9_+/-]/g, '')}" />`);
}
