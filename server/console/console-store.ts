import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql, type Database, type Row } from '../../db/database.ts';
import { roles, type Principal, type Role } from '../auth/roles.ts';

const schemaSql = readFileSync(new URL('./console-schema.sql', import.meta.url), 'utf8');

/** How many runs a user's history keeps; older ones are dropped as new ones come. */
const historyLimit = 200;

export interface SavedQuery {
  query_id: string;
  name: string;
  sql: string;
  owner_label: string | null;
  shared_with: Role | null;
  saved_at: string;
  /** Whether the asking user saved it (and so may delete it). */
  mine: boolean;
}

/**
 * The SQL console's history and saved queries in `console.*`. A user is a token: its runs are its
 * own; a saved query is its owner's, or shared with everyone holding a role at least as high as the
 * one named. Callers hold no lock: each method is one or two statements DuckDB runs atomically.
 */
export class ConsoleStore {
  private created?: Promise<void>;

  constructor(private readonly db: Database) {}

  /** The schema is made on first use, so a server that never sees the console writes nothing. */
  private ready(): Promise<void> {
    this.created ??= this.db.run(schemaSql);
    this.created.catch(() => (this.created = undefined));
    return this.created;
  }

  async recordRun(principal: Principal, text: string, outcome: { rowCount?: number; elapsedMs: number; error?: string }): Promise<void> {
    await this.ready();
    await this.db.run(sql`
      insert into console.history values (${principal.tokenId}, ${text}, now(), ${outcome.rowCount ?? null}, ${outcome.elapsedMs}, ${outcome.error ?? null})`);
    await this.db.run(sql`
      delete from console.history where token_id = ${principal.tokenId} and ran_at < (
        select min(ran_at) from (select ran_at from console.history where token_id = ${principal.tokenId} order by ran_at desc limit ${historyLimit}))`);
  }

  async history(principal: Principal, limit = 50): Promise<Row[]> {
    await this.ready();
    return this.db.rows(sql`
      select sql, ran_at, row_count, elapsed_ms, error from console.history
      where token_id = ${principal.tokenId} order by ran_at desc limit ${limit}`);
  }

  async save(principal: Principal, name: string, text: string, sharedWith: Role | null): Promise<string> {
    await this.ready();
    const queryId = `q_${randomBytes(5).toString('hex')}`;
    await this.db.run(sql`
      insert into console.saved_queries values (${queryId}, ${name}, ${text}, ${principal.tokenId}, ${principal.label}, ${sharedWith}, now())`);
    return queryId;
  }

  /** The asker's own queries and those shared with a role the asker holds (or one below it). */
  async list(principal: Principal): Promise<SavedQuery[]> {
    await this.ready();
    const visibleRoles = roles.slice(0, roles.indexOf(principal.role) + 1);
    const rows = await this.db.rows(sql`
      select query_id, name, sql, owner_label, shared_with, saved_at, owner_token_id = ${principal.tokenId} as mine
      from console.saved_queries
      where owner_token_id = ${principal.tokenId} or shared_with in (${sql.join(visibleRoles.map((role) => sql`${role}`), ', ')})
      order by name, saved_at`);
    return rows as unknown as SavedQuery[];
  }

  /** Deletes one of the asker's own saved queries; false when there is none by that id. */
  async remove(principal: Principal, queryId: string): Promise<boolean> {
    await this.ready();
    const found = await this.db.one(sql`select query_id from console.saved_queries where query_id = ${queryId} and owner_token_id = ${principal.tokenId}`);
    if (!found) return false;
    await this.db.run(sql`delete from console.saved_queries where query_id = ${queryId}`);
    return true;
  }
}
