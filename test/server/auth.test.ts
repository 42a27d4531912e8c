import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactUrl } from '../../server/app.ts';
import { sha256 } from '../../server/auth/token-store.ts';
import { contractConfigYaml } from './contract-marts.ts';
import { startContractServer, type ContractServer } from './contract-server.ts';

let api: ContractServer;

beforeAll(async () => {
  api = await startContractServer();
});
afterAll(async () => api?.close());

const viewerEndpoints = [
  '/api/weekly-health', '/api/mismatch-rate', '/api/warehouses', '/api/mismatch', '/api/sku-timeline?sku=SKU-1', '/api/sync-priority',
  '/api/order-lines', '/api/cancellations', '/api/ats', '/api/ats-daily', '/api/filters', '/api/ingest/runs', '/api/ingest/batches',
  '/api/ingest/quarantine', '/api/freshness', '/api/models/runs', '/api/models/tests', '/api/lineage', '/api/me',
];

describe('roles', () => {
  it('lets every role read every dashboard endpoint', async () => {
    for (const role of ['viewer', 'analyst', 'admin'] as const) {
      for (const url of viewerEndpoints) expect([url, role, (await api.get(url, role)).status]).toEqual([url, role, 200]);
    }
  });

  it('answers 401 without credentials and with a bad token, naming what to send', async () => {
    for (const url of [...viewerEndpoints, '/api/exports/fct_mismatch.csv', '/api/config']) {
      const response = await api.get(url, null);
      expect([url, response.status]).toEqual([url, 401]);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="stocklens"');
    }
    const none = await api.get('/api/mismatch', null);
    expect((await none.json()).error).toMatch(/^authentication required: send Authorization: Bearer <token>/);
    const bad = await api.get('/api/mismatch', null, { headers: { authorization: 'Bearer sl_not-a-token' } });
    expect([bad.status, await bad.json()]).toEqual([401, { error: 'invalid or revoked token' }]);
    const malformed = await api.get('/api/mismatch', null, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(malformed.status).toBe(401);
  });

  it('answers 403 to a known token whose role is too low', async () => {
    const viewerSql = await api.sql('select 1', 'json', 'viewer');
    expect(viewerSql.status).toBe(403);
    expect((await viewerSql.json()).error).toMatch(/^this needs the analyst role; your token tok_\w+ has the viewer role$/);
    expect((await api.get('/api/exports/fct_mismatch.csv', 'viewer')).status).toBe(403);
    for (const url of ['/api/config', '/api/tokens']) {
      expect((await api.get(url, 'viewer')).status).toBe(403);
      expect((await api.get(url, 'analyst')).status).toBe(403);
      expect((await api.get(url, 'admin')).status).toBe(200);
    }
    const release = await api.get('/api/ingest/batches/b-2/accept', 'analyst', { method: 'POST' });
    expect(release.status).toBe(403);
  });

  it('tells the dashboard which role it has', async () => {
    expect(await api.json('/api/me', 'analyst')).toMatchObject({ role: 'analyst', label: 'analyst test', via: 'bearer' });
  });

  it('stores tokens only as SHA-256 hashes', async () => {
    const rows = await api.db.rows<{ token_sha256: string; role: string }>('select token_sha256, role from auth.tokens');
    expect(rows.map((row) => row.token_sha256)).toEqual(expect.arrayContaining(Object.values(api.tokens).map(sha256)));
    const dump = JSON.stringify(await api.db.rows('select * from auth.tokens'));
    for (const token of Object.values(api.tokens)) expect(dump).not.toContain(token);
  });

  it('lets an admin create and revoke tokens, and a revoked token stops working', async () => {
    const created = await api.get('/api/tokens', 'admin', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'viewer', label: 'wall screen' }) });
    expect(created.status).toBe(201);
    const { token, token_id } = (await created.json()) as { token: string; token_id: string };
    const asNew = () => api.get('/api/me', null, { headers: { authorization: `Bearer ${token}` } });
    expect((await asNew()).status).toBe(200);
    expect((await api.get(`/api/tokens/${token_id}`, 'admin', { method: 'DELETE' })).status).toBe(200);
    expect((await asNew()).status).toBe(401);
  });

  it('redacts secrets from the config an admin reads', async () => {
    const secrets = { smtp: 'smtp-pass-123', token: 'shpat_abc123', webhook: 'whsec-456', database: 'db-pass-789' };
    const yaml = contractConfigYaml
      .replace('sources:\n', `sources:
  - { name: shop-api, system: ecommerce, connector: shopify-api, url: "https://demo.myshopify.com", access_token: ${secrets.token} }
  - { name: shop-hooks, system: ecommerce, connector: shopify-webhook, webhook_secret: ${secrets.webhook} }
  - { name: odoo, system: erp, connector: odoo, database: { database: odoo, user: odoo, password: ${secrets.database} } }
`)
      .concat(`smtp: { host: mail.example.com, user: stocklens, password: ${secrets.smtp} }\n`);
    const withSecrets = await startContractServer({ yaml });
    try {
      const response = await withSecrets.get('/api/config', 'admin');
      const text = await response.text();
      for (const secret of Object.values(secrets)) expect(text).not.toContain(secret);
      const config = JSON.parse(text) as { smtp: Record<string, unknown>; sources: Record<string, unknown>[]; timezone: string };
      expect(config.timezone).toBe('UTC');
      expect(config.smtp).toMatchObject({ host: 'mail.example.com', user: 'stocklens', password: '[redacted]' });
      expect(config.sources.find((source) => source.name === 'shop-api')).toMatchObject({ url: 'https://demo.myshopify.com', access_token: '[redacted]' });
      expect(config.sources.find((source) => source.name === 'shop-hooks')).toMatchObject({ webhook_secret: '[redacted]' });
      expect(config.sources.find((source) => source.name === 'odoo')).toMatchObject({ database: { database: 'odoo', user: 'odoo', password: '[redacted]' } });
    } finally {
      await withSecrets.close();
    }
  });

  it('answers batch release with 501 until the ingest stage is wired in', async () => {
    const response = await api.get('/api/ingest/batches/b-2/accept', 'admin', { method: 'POST' });
    expect([response.status, (await response.json()).error]).toEqual([501, 'batch release is not wired into this server: run stocklens ingest --accept BATCH']);
  });

  it('needs no credentials for /healthz, and an admin for /metrics', async () => {
    expect((await api.get('/healthz', null)).status).toBe(200);
    expect((await api.get('/metrics', null)).status).toBe(401);
    expect((await api.get('/metrics', 'analyst')).status).toBe(403);
    const metrics = await (await api.get('/metrics', 'admin')).text();
    expect(metrics).toContain('stocklens_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/mismatch",status="200"}');
    expect(metrics).toContain('stocklens_rows_landed_total');
    expect(metrics).toContain('stocklens_auth_failures_total');
  });

  it('sends helmet headers with a CSP that allows only the dashboard own script', async () => {
    const response = await api.get('/login', null);
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });
});

describe('browser sign-in', () => {
  it('turns /login?token= into an HttpOnly SameSite=Strict session cookie and redirects to /', async () => {
    const response = await api.get(`/login?token=${api.tokens.viewer}`, null, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^stocklens_session=[\w-]{43}; Max-Age=604800; Path=\/; HttpOnly; SameSite=Strict$/);
    const session = cookie.split(';')[0];
    expect(await (await api.get('/api/me', null, { headers: { cookie: session } })).json()).toMatchObject({ role: 'viewer', via: 'session' });
    const page = await api.get('/', null, { headers: { cookie: session }, redirect: 'manual' });
    expect([page.status, await page.text()]).toEqual([200, expect.stringContaining('<sl-app>')]);
    // The session id is stored hashed, like tokens.
    const stored = await api.db.rows<{ session_sha256: string }>('select session_sha256 from auth.sessions');
    expect(stored.map((row) => row.session_sha256)).toContain(sha256(session.split('=')[1]));
  });

  it('signs in through the form and follows only local next paths', async () => {
    const form = (next: string) =>
      api.get('/login', null, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: api.tokens.admin, next }) });
    expect((await form('/?x=1')).headers.get('location')).toBe('/?x=1');
    expect((await form('//evil.example/')).headers.get('location')).toBe('/');
    expect((await form('https://evil.example/')).headers.get('location')).toBe('/');
  });

  it('shows the sign-in page to a browser without a session, and an error for a bad token', async () => {
    const home = await api.get('/', null, { redirect: 'manual' });
    expect([home.status, home.headers.get('location')]).toEqual([303, '/login?next=%2F']);
    const page = await api.get('/login?next=%2F', null);
    const html = await page.text();
    expect(html).toContain('<label for="token">Access token</label>');
    expect(html).toContain('<form method="post" action="/login">');
    const bad = await api.get('/login?token=nope', null, { redirect: 'manual' });
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain('That token is not valid');
  });

  it('reloads once from its own page when a link from another site arrives without the cookie', async () => {
    const response = await api.get('/', null, { redirect: 'manual', headers: { 'sec-fetch-site': 'cross-site' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<meta http-equiv="refresh" content="0">');
  });

  it('keeps sign-in tokens out of the request logs', () => {
    expect(redactUrl('/login?token=sl_abc-def&next=%2F')).toBe('/login?token=[redacted]&next=%2F');
    expect(redactUrl('/login?next=%2F&TOKEN=sl_abc')).toBe('/login?next=%2F&TOKEN=[redacted]');
  });

  it('ends the session on logout', async () => {
    const login = await api.get(`/login?token=${api.tokens.analyst}`, null, { redirect: 'manual' });
    const session = login.headers.get('set-cookie')!.split(';')[0];
    // The sign-in page's form, as a browser posts it: from this origin.
    const logout = await api.get('/logout', null, { method: 'POST', redirect: 'manual', headers: { cookie: session, 'sec-fetch-site': 'same-origin' } });
    expect(logout.headers.get('set-cookie')).toMatch(/^stocklens_session=; Max-Age=0/);
    const after = await api.get('/api/me', null, { headers: { cookie: session } });
    expect([after.status, (await after.json()).error]).toEqual([401, 'your session has expired or was ended: sign in again']);
  });
});

describe('failed authentication throttling', () => {
  it('answers 429 after the configured failures from one address, while good tokens were never counted', async () => {
    const limited = await startContractServer({ yaml: contractConfigYaml.replace('auth_failure_limit: 1000', 'auth_failure_limit: 3') });
    try {
      for (let i = 0; i < 10; i += 1) expect((await limited.get('/api/me', 'viewer')).status).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await limited.get('/api/me', null, { headers: { authorization: `Bearer wrong-${i}` } })).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      const blocked = await limited.get('/api/me', null, { headers: { authorization: 'Bearer wrong-5' } });
      expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/);
      // A valid token from the same address still passes: the guesser locks out only its guesses.
      expect((await limited.get('/api/me', 'viewer')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
