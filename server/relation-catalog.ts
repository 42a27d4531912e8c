import type { Database } from '../db/database.ts';
import { HttpError } from './http-error.ts';

/** Relations of the database and their columns, cached briefly: every API request asks. */
export class RelationCatalog {
  private cached?: Promise<Map<string, string[]>>;
  private cachedAt = 0;
  private reloading?: Promise<Map<string, string[]>>;

  constructor(
    private readonly db: Database,
    private readonly ttlMs = 5_000,
  ) {}

  /** `schema.name` (lower case) → column names, for the tables and views of the database itself. */
  async relations(fresh = false): Promise<Map<string, string[]>> {
    const expired = Date.now() - this.cachedAt > this.ttlMs;
    if (fresh || !this.cached) return this.reload();
    // Past its time the old answer is used while a new one is read (tables rarely appear or go).
    if (expired && !this.reloading) void this.reload().catch(() => undefined);
    return this.cached;
  }

  private reload(): Promise<Map<string, string[]>> {
    if (this.reloading) return this.reloading;
    this.cachedAt = Date.now();
    const loading = this.load().finally(() => (this.reloading = undefined));
    this.reloading = loading;
    loading.then((relations) => (this.cached = Promise.resolve(relations))).catch(() => undefined);
    return loading;
  }

  async columnsOf(schema: string, name: string): Promise<string[] | undefined> {
    const key = `${schema}.${name}`.toLowerCase();
    return (await this.relations()).get(key) ?? (await this.relations(true)).get(key);
  }

  /** The columns of a mart, or a 503 that says how to build it (never a catalog error's 500). */
  async requireMart(name: string): Promise<string[]> {
    const columns = await this.columnsOf('marts', name);
    if (!columns) throw new HttpError(503, `marts.${name} is not built yet: run stocklens build`);
    return columns;
  }

  /** The columns of a table other stages write (the ingest ledger, run history), or a 503 naming the command that makes it. */
  async requireTable(schema: string, name: string, madeBy: string): Promise<string[]> {
    const columns = await this.columnsOf(schema, name);
    if (!columns) throw new HttpError(503, `${schema}.${name} does not exist yet: run ${madeBy}`);
    return columns;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async load(): Promise<Map<string, string[]>> {
    const rows = await this.db.rows<{ schema_name: string; table_name: string; column_name: string }>(`
      select schema_name, table_name, column_name from duckdb_columns()
      where database_name = current_database() and not internal
      order by schema_name, table_name, column_index`);
    const relations = new Map<string, string[]>();
    for (const row of rows) {
      const key = `${row.schema_name}.${row.table_name}`.toLowerCase();
      const columns = relations.get(key) ?? [];
      columns.push(row.column_name);
      relations.set(key, columns);
    }
    return relations;
  }
}
