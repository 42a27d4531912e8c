import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { logger } from '../../core/logger.ts';
import { sql, type Database } from '../../db/database.ts';
import { isRole, type Principal, type Role } from './roles.ts';

const schemaSql = readFileSync(new URL('./auth-schema.sql', import.meta.url), 'utf8');

/** Tokens are checked on every request; a verdict is reused this long (also the delay of a revocation). */
const cacheMs = 15_000;
/** `last_used_at` is written at most this often per token, so reads do not turn into writes. */
const touchEveryMs = 60_000;

export interface TokenInfo {
  token_id: string;
  role: Role;
  label: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Bearer tokens and browser sessions, stored as SHA-256 hashes in `auth.*`. */
export class TokenStore {
  private readonly cache = new Map<string, { principal: Principal | undefined; until: number }>();
  private readonly touched = new Map<string, number>();
  private readonly pending = new Map<string, Promise<Principal | undefined>>();
  private generation = 0;

  constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<TokenStore> {
    await db.run(schemaSql);
    return new TokenStore(db);
  }

  /** Creates a token; the clear text is returned once and never stored. */
  async create(role: Role, label?: string): Promise<{ tokenId: string; token: string }> {
    const tokenId = `tok_${randomBytes(6).toString('hex')}`;
    const token = `sl_${randomBytes(24).toString('base64url')}`;
    await this.db.run(sql`
      insert into auth.tokens (token_id, token_sha256, role, label, created_at)
      values (${tokenId}, ${sha256(token)}, ${role}, ${label ?? null}, now())`);
    this.forget();
    return { tokenId, token };
  }

  async list(): Promise<TokenInfo[]> {
    return this.db.rows<TokenInfo & Record<string, never>>(
      'select token_id, role, label, created_at, last_used_at, revoked_at from auth.tokens order by created_at',
    ) as Promise<TokenInfo[]>;
  }

  /** Revokes a token and ends its sessions; false when there is no such token. */
  async revoke(tokenId: string): Promise<boolean> {
    const found = await this.db.one(sql`select token_id from auth.tokens where token_id = ${tokenId} and revoked_at is null`);
    if (!found) return false;
    await this.db.transaction(async (connection) => {
      await connection.run(sql`update auth.tokens set revoked_at = now() where token_id = ${tokenId}`);
      await connection.run(sql`delete from auth.sessions where token_id = ${tokenId}`);
    });
    this.forget();
    return true;
  }

  async authenticateToken(token: string): Promise<Principal | undefined> {
    return this.cached(`t:${sha256(token)}`, async (hash) => {
      const row = await this.db.one(sql`
        select token_id, role, label from auth.tokens where token_sha256 = ${hash} and revoked_at is null`);
      return row && toPrincipal(row, 'bearer');
    });
  }

  async authenticateSession(sessionId: string): Promise<Principal | undefined> {
    return this.cached(`s:${sha256(sessionId)}`, async (hash) => {
      const row = await this.db.one(sql`
        select t.token_id, t.role, t.label
        from auth.sessions s join auth.tokens t using (token_id)
        where s.session_sha256 = ${hash} and s.expires_at > now() and t.revoked_at is null`);
      return row && toPrincipal(row, 'session');
    });
  }

  /** A new browser session for a principal; the id goes in the cookie, its hash in the table. */
  async createSession(principal: Principal, ttlMs: number): Promise<string> {
    const sessionId = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + ttlMs).toISOString();
    await this.db.run(sql`
      insert into auth.sessions values (${sha256(sessionId)}, ${principal.tokenId}, now(), ${expiresAt}::timestamptz)`);
    await this.db.run('delete from auth.sessions where expires_at < now()');
    return sessionId;
  }

  async endSession(sessionId: string): Promise<void> {
    const hash = sha256(sessionId);
    this.forget();
    await this.db.run(sql`delete from auth.sessions where session_sha256 = ${hash}`);
  }

  private async cached(key: string, look: (hash: string) => Promise<Principal | undefined>): Promise<Principal | undefined> {
    const now = Date.now();
    const hit = this.cache.get(key);
    // A verdict past its time is still answered at once while it is checked again in the background:
    // a token lookup must not wait behind a long build. Revocation clears the cache, so it is immediate.
    if (hit) {
      if (hit.until <= now) void this.refresh(key, look).catch((error) => logger.warn({ err: error }, 'token check failed'));
      if (hit.principal) this.touch(hit.principal.tokenId, now);
      return hit.principal;
    }
    return this.refresh(key, look);
  }

  private refresh(key: string, look: (hash: string) => Promise<Principal | undefined>): Promise<Principal | undefined> {
    const pending = this.pending.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const looking = look(key.slice(2))
      .then((principal) => {
        if (this.cache.size > 10_000) this.cache.clear();
        // Misses are cached too, briefly, so a flood of bad tokens does not become a flood of queries.
        if (generation === this.generation) this.cache.set(key, { principal, until: Date.now() + cacheMs });
        return principal;
      })
      .finally(() => this.pending.delete(key));
    this.pending.set(key, looking);
    return looking;
  }

  private forget(): void {
    this.generation += 1;
    this.cache.clear();
  }

  private touch(tokenId: string, now: number): void {
    if ((this.touched.get(tokenId) ?? 0) > now - touchEveryMs) return;
    this.touched.set(tokenId, now);
    this.db.run(sql`update auth.tokens set last_used_at = now() where token_id = ${tokenId}`).catch((error) => logger.warn({ err: error, tokenId }, 'could not record token use'));
  }
}

function toPrincipal(row: Record<string, unknown>, via: Principal['via']): Principal | undefined {
  if (!isRole(row.role)) return undefined;
  return { tokenId: String(row.token_id), role: row.role, label: (row.label as string | null) ?? null, via };
}
