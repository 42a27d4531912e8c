import { statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useTempDir } from '../helpers/temp-dir.ts';
import { startHostileServer, type HostileServer } from './hostile-server.ts';

const tempDir = useTempDir('stocklens-hostile-requests-');
let hostile: HostileServer;
const metricsToken = 'scrape-0123456789abcdef';

beforeAll(async () => {
  hostile = await startHostileServer(tempDir(), { yaml: `server: { trust_proxy: true, auth_failure_limit: 3, metrics_token: ${metricsToken} }` });
});
afterAll(() => hostile?.close());

const url = (pathAndQuery: string) => `${hostile.server.url}${pathAndQuery}`;

async function signIn(address: string, headers: Record<string, string> = {}): Promise<{ cookie: string; setCookie: string }> {
  const response = await fetch(url(`/login?token=${hostile.token}`), { redirect: 'manual', headers: { 'x-forwarded-for': address, ...headers } });
  expect(response.status).toBe(303);
  const setCookie = response.headers.get('set-cookie')!;
  return { cookie: setCookie.split(';')[0], setCookie };
}

describe('a page on another origin cannot act with a signed-in admin\'s cookie', () => {
  test('form posts from another port of the same host are refused on every state-changing route; the same request from the dashboard passes', async () => {
    const { cookie } = await signIn('10.1.0.1');
    const attacker = 'http://localhost:8666';
    for (const route of ['/api/ingest', '/api/models/build', '/api/alerts/run', '/api/ingest/batches/any/accept', '/api/tokens']) {
      const response = await fetch(url(route), {
        method: 'POST',
        headers: { cookie, origin: attacker, 'sec-fetch-site': 'same-site', 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '10.1.0.1' },
        body: 'sources=wms',
      });
      expect([route, response.status]).toEqual([route, 403]);
      expect((await response.json()).error).toBe(
        `cross-origin request refused: a change made with a session cookie must come from this dashboard (${hostile.server.url}), not from ${attacker}; scripts send Authorization: Bearer <token>`,
      );
    }
    // An older browser that sends Origin but not Sec-Fetch-Site is judged by Origin.
    const noFetchMetadata = await fetch(url('/api/alerts/run'), { method: 'POST', headers: { cookie, origin: attacker, 'x-forwarded-for': '10.1.0.1' } });
    expect(noFetchMetadata.status).toBe(403);
    const fromDashboard = await fetch(url('/api/ingest'), {
      method: 'POST',
      headers: { cookie, 'sec-fetch-site': 'same-origin', origin: hostile.server.url, 'content-type': 'application/json', 'x-forwarded-for': '10.1.0.1' },
      body: '{}',
    });
    expect(fromDashboard.status).toBe(200);
  });

  test('a route that takes a body answers 400 without one, instead of reading it as {} ("everything")', async () => {
    for (const route of ['/api/ingest', '/api/models/build', '/api/tokens']) {
      const response = await fetch(url(route), { method: 'POST', headers: { authorization: `Bearer ${hostile.token}`, 'x-forwarded-for': '10.1.0.2' } });
      expect([route, response.status]).toEqual([route, 400]);
      expect((await response.json()).error).toMatch(/^this needs a JSON body \(Content-Type: application\/json\), for example /);
    }
  });
});

describe('authentication hygiene', () => {
  test('twenty bad tokens lock out the guessing address only: valid tokens from it still pass, other addresses are untouched (behind trust_proxy)', async () => {
    const guess = (address: string, index: number) => fetch(url('/api/me'), { headers: { authorization: `Bearer sl_wrong-${index}`, 'x-forwarded-for': address } });
    const statuses: number[] = [];
    for (let index = 0; index < 5; index++) statuses.push((await guess('10.2.0.1', index)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const locked = await guess('10.2.0.1', 99);
    expect(await locked.json()).toEqual({ error: expect.stringMatching(/^too many failed authentications from 10\.2\.0\.1: try again in \d+ s$/) });
    expect((await fetch(url('/api/me'), { headers: { authorization: `Bearer ${hostile.token}`, 'x-forwarded-for': '10.2.0.1' } })).status).toBe(200);
    expect((await signIn('10.2.0.1')).cookie).toMatch(/^stocklens_session=/);
    expect((await guess('10.2.0.2', 0)).status).toBe(401);
  });

  test('a stale session cookie asks to sign in again every time and never locks its address out', async () => {
    for (let index = 0; index < 6; index++) {
      const response = await fetch(url('/api/me'), { headers: { cookie: 'stocklens_session=ended-long-ago', 'x-forwarded-for': '10.3.0.1' } });
      expect([response.status, (await response.json()).error]).toEqual([401, 'your session has expired or was ended: sign in again']);
    }
    const guess = await fetch(url('/api/me'), { headers: { authorization: 'Bearer sl_wrong', 'x-forwarded-for': '10.3.0.1' } });
    expect(guess.status).toBe(401);
  });

  test('the session cookie is Secure behind a TLS proxy, and not on plain http', async () => {
    expect((await signIn('10.4.0.1', { 'x-forwarded-proto': 'https' })).setCookie).toMatch(/; Secure/);
    expect((await signIn('10.4.0.1')).setCookie).not.toMatch(/Secure/);
  });

  test('the data folder is 0700 and the database file 0600', () => {
    expect((statSync(hostile.config.data_dir).mode & 0o777).toString(8)).toBe('700');
    expect((statSync(hostile.config.databaseFile).mode & 0o777).toString(8)).toBe('600');
    expect((statSync(path.join(hostile.config.data_dir, 'stocklens.duckdb.wal'), { throwIfNoEntry: false })?.mode ?? 0o600) & 0o777).toBe(0o600);
  });

  test('/metrics needs the metrics token or an admin', async () => {
    expect((await fetch(url('/metrics'), { headers: { 'x-forwarded-for': '10.5.0.1' } })).status).toBe(401);
    const analyst = (await hostile.server.tokens.create('analyst', 'metrics reader')).token;
    expect((await fetch(url('/metrics'), { headers: { authorization: `Bearer ${analyst}`, 'x-forwarded-for': '10.5.0.1' } })).status).toBe(403);
    const scraped = await fetch(url('/metrics'), { headers: { authorization: `Bearer ${metricsToken}`, 'x-forwarded-for': '10.5.0.1' } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('stocklens_http_request_duration_seconds');
    expect((await hostile.api('/metrics', { headers: { 'x-forwarded-for': '10.5.0.1' } })).status).toBe(200);
  });
});
