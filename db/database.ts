import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBAppender, type DuckDBResultReader } from '@duckdb/node-api';
import { causeMessage } from '../core/errors.ts';
import { logger } from '../core/logger.ts';
import { appendColumnChunks, type AppendColumn } from './column-chunks.ts';
import { processWideSettings } from './duckdb-settings.ts';
import { RecoveringInstance } from './recovering-instance.ts';
import { compile, sql, type Statement } from './statement.ts';
import { jsonValueConverter, type JsonValue } from './json-value.ts';

export { compile, inline, literal, quotedIdentifier, sql, type SQLQuery, type Statement } from './statement.ts';
export type { AppendColumn, JsonValue };
export { DatabaseUnavailable } from './recovering-instance.ts';
export type Row = Record<string, JsonValue>;

/** Result read by columns: one array per column, plus names and DuckDB type names. */
export interface ColumnarResult {
  names: string[];
  types: string[];
  columns: JsonValue[][];
  rowCount: number;
}

/**
 * One unit of work on the database: its own DuckDB connection.
 *
 * DuckDB works on a connection in a thread of the libuv pool while JavaScript goes on, so two rules
 * hold here, for every caller:
 * - a connection is never closed while a call of it is still running in that thread (DuckDB
 *   crashes the process): `closeSync()` then interrupts the call and closes once it has settled;
 * - an interrupt is honoured: DuckDB forgets one that arrives while a statement is still being
 *   prepared, so `interrupt()` repeats it until the running call settles, and every later call on
 *   the connection fails at once as interrupted.
 */
export class Connection {
  /** Calls of this connection running in DuckDB now. */
  private running = 0;
  private interrupted = false;
  private closed = false;
  private closeWhenIdle = false;
  private repeatInterrupt: NodeJS.Timeout | undefined;

  constructor(
    private readonly connection: DuckDBConnection,
    /** Told of every error, so that the database notices a fatal one (it is then invalidated). */
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** Runs a statement (or a script of several, when it is trusted text without values). */
  async run(statement: Statement): Promise<void> {
    const { text, values } = compile(statement);
    await this.call(() => this.connection.run(text, values.length > 0 ? values : undefined));
  }

  /** Every call into DuckDB goes through here: counted while it runs, refused once interrupted. */
  private async call<T>(work: () => Promise<T>): Promise<T> {
    if (this.interrupted) throw new Error('INTERRUPT Error: Interrupted! (the connection was interrupted before this statement)');
    if (this.closed || this.closeWhenIdle) throw new Error('the connection is closed');
    this.running += 1;
    try {
      return await work();
    } catch (error) {
      return this.rethrow(error);
    } finally {
      this.running -= 1;
      if (this.running === 0) this.settled();
    }
  }

  private settled(): void {
    clearInterval(this.repeatInterrupt);
    this.repeatInterrupt = undefined;
    if (this.closeWhenIdle) this.closeNow();
  }

  private readonly rethrow = (error: unknown): never => {
    this.onError(error);
    throw error;
  };

  async rows<T extends Row = Row>(statement: Statement): Promise<T[]> {
    const reader = await this.read(statement);
    return reader.convertRowObjects(jsonValueConverter) as T[];
  }

  async one<T extends Row = Row>(statement: Statement): Promise<T | undefined> {
    return (await this.rows<T>(statement))[0];
  }

  /** Whether `schema.name` exists in this database, and as what. */
  async relationKind(schema: string, name: string): Promise<'table' | 'view' | undefined> {
    const row = await this.one<{ table_type: string }>(
      sql`select table_type from information_schema.tables where table_catalog = current_database() and table_schema = ${schema} and table_name = ${name}`,
    );
    if (!row) return undefined;
    return row.table_type === 'VIEW' ? 'view' : 'table';
  }

  /** Reads a result by columns, which is how the API and Arrow encoder consume it. */
  async columns(statement: Statement): Promise<ColumnarResult> {
    const reader = await this.read(statement);
    const names = reader.columnNames();
    const columns = reader.convertColumns(jsonValueConverter) as JsonValue[][];
    return {
      names,
      types: reader.columnTypes().map((type) => type.toString()),
      // An empty result has no column arrays at all; callers index them by column.
      columns: columns.length === names.length ? columns : names.map(() => []),
      rowCount: reader.currentRowCount,
    };
  }

  /**
   * Streams a result chunk by chunk (about 2048 rows each), converted like `columns()`: downloads
   * and previews read only what they send, and a consumer that stops early stops DuckDB too.
   */
  async *stream(statement: Statement): AsyncGenerator<ColumnarResult> {
    const { text, values } = compile(statement);
    const result = await this.call(() => this.connection.stream(text, values.length > 0 ? values : undefined));
    const names = result.columnNames();
    const types = result.columnTypes().map((type) => type.toString());
    // An empty result still yields one empty chunk, so that callers learn its column names and types.
    for (let first = true; ; first = false) {
      const chunk = await this.call(() => result.fetchChunk());
      if (!chunk || chunk.rowCount === 0) {
        if (first) yield { names, types, columns: names.map(() => []), rowCount: 0 };
        return;
      }
      yield { names, types, columns: chunk.convertColumns(jsonValueConverter) as JsonValue[][], rowCount: chunk.rowCount };
    }
  }

  /** Runs `fn` inside BEGIN/COMMIT; any error rolls the whole unit back. */
  async transaction<T>(fn: (connection: Connection) => Promise<T>): Promise<T> {
    await this.run('BEGIN TRANSACTION');
    try {
      const result = await fn(this);
      await this.run('COMMIT');
      return result;
    } catch (error) {
      await this.run('ROLLBACK').catch((rollbackError) => logger.warn({ err: rollbackError }, 'rollback failed'));
      throw error;
    }
  }

  /**
   * A bulk appender: the way API and database rows are landed (not INSERT loops). Temporary tables
   * live in catalog `temp`, schema `main`: `appender('main', name, 'temp')`.
   */
  async appender(schema: string, table: string, catalog?: string): Promise<DuckDBAppender> {
    return this.call(() => this.connection.createAppender(table, schema, catalog));
  }

  /**
   * Bulk-appends columns of values to a table, a data chunk of 2048 rows at a time, each vector
   * written in one copy where it can be (see column-chunks.ts): the fastest way in from JS.
   */
  async appendColumns(target: { catalog?: string; schema: string; table: string }, columns: readonly AppendColumn[]): Promise<void> {
    const appender = await this.appender(target.schema, target.table, target.catalog);
    try {
      appendColumnChunks(appender, columns);
      appender.flushSync();
    } catch (error) {
      // Closing flushes: rows of the chunks before a bad value must not land on their own.
      appender.clear();
      throw error;
    } finally {
      appender.closeSync();
    }
  }

  /** Stops the statement running on this connection, and refuses any later one (timeouts, clients gone). */
  interrupt(): void {
    if (this.closed) return;
    this.interrupted = true;
    this.connection.interrupt();
    if (this.running > 0) this.repeatInterrupt ??= setInterval(() => this.connection.interrupt(), interruptRepeatMs);
  }

  /** The underlying DuckDB connection, for streaming readers inside the db module's callers' stage. */
  get duckdb(): DuckDBConnection {
    return this.connection;
  }

  /** Closes the connection; one with a call still running is interrupted and closed once it settles. */
  closeSync(): void {
    if (this.closed || this.closeWhenIdle) return;
    if (this.running === 0) return this.closeNow();
    this.interrupt();
    this.closeWhenIdle = true;
  }

  private closeNow(): void {
    this.closed = true;
    this.closeWhenIdle = false;
    this.connection.closeSync();
  }

  private async read(statement: Statement): Promise<DuckDBResultReader> {
    const { text, values } = compile(statement);
    return this.call(() => this.connection.runAndReadAll(text, values.length > 0 ? values : undefined));
  }
}

/** How often an interrupt is repeated while the interrupted call has not settled yet. */
const interruptRepeatMs = 20;

export interface OpenOptions {
  readOnly?: boolean;
  /** DuckDB settings such as `threads` or `memory_limit`. */
  settings?: Record<string, string>;
}

/**
 * The Stocklens database: one DuckDB instance per file for the whole process (DuckDB allows one
 * read-write process per file), a connection per unit of work.
 */
export class Database {
  private static readonly open_ = new Map<string, Promise<Database>>();
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly instance: RecoveringInstance,
    readonly readOnly: boolean,
  ) {}

  static async open(file: string, options: OpenOptions = {}): Promise<Database> {
    const absolute = file === ':memory:' ? file : path.resolve(file);
    const key = `${absolute}|${options.readOnly ? 'ro' : 'rw'}`;
    const existing = Database.open_.get(key);
    if (existing) return existing;
    const opening = (async () => {
      const owned = absolute !== ':memory:' && !options.readOnly;
      if (owned) makePrivate(path.dirname(absolute));
      const settings: Record<string, string> = { ...options.settings, ...processWideSettings };
      if (options.readOnly) settings.access_mode = 'READ_ONLY';
      const instance = await DuckDBInstance.create(absolute, settings);
      if (owned) for (const file of [absolute, `${absolute}.wal`]) if (existsSync(file)) chmodSync(file, 0o600);
      installCloseOnSignal();
      return new Database(absolute, new RecoveringInstance(absolute, instance, settings), Boolean(options.readOnly));
    })();
    Database.open_.set(key, opening);
    opening.catch(() => Database.open_.delete(key));
    return opening;
  }

  async connect(): Promise<Connection> {
    if (this.closed) throw new Error(`database ${this.file} is closed`);
    try {
      return new Connection(await this.instance.connect(), this.instance.noticeFatal);
    } catch (error) {
      this.instance.noticeFatal(error);
      throw error;
    }
  }

  /** Whether the database answers a query now (reopening it after a fatal error when it can); the reason when not. */
  async health(): Promise<{ ok: true } | { ok: false; error: string }> {
    if (this.closed) return { ok: false, error: `database ${this.file} is closed` };
    return this.instance.health();
  }

  /** Runs `fn` on a fresh connection and closes it afterwards. */
  async withConnection<T>(fn: (connection: Connection) => Promise<T>): Promise<T> {
    const connection = await this.connect();
    try {
      return await fn(connection);
    } finally {
      connection.closeSync();
    }
  }

  async transaction<T>(fn: (connection: Connection) => Promise<T>): Promise<T> {
    return this.withConnection((connection) => connection.transaction(fn));
  }

  async run(statement: Statement): Promise<void> {
    await this.withConnection((connection) => connection.run(statement));
  }

  async rows<T extends Row = Row>(statement: Statement): Promise<T[]> {
    return this.withConnection((connection) => connection.rows<T>(statement));
  }

  async one<T extends Row = Row>(statement: Statement): Promise<T | undefined> {
    return this.withConnection((connection) => connection.one<T>(statement));
  }

  async columns(statement: Statement): Promise<ColumnarResult> {
    return this.withConnection((connection) => connection.columns(statement));
  }

  /**
   * Folds the write-ahead log into the database file now, once the caller's writes are published
   * (after a build). Left to itself DuckDB does it inside whichever commit takes the log past
   * `checkpoint_threshold`, stalling that model or batch. Readers do not stop it (DuckDB 1.5); an
   * open transaction on another connection that created a table or wrote a batch's blocks does, so
   * it is tried again after it, a few times. FORCE CHECKPOINT would wait, but it also holds back every
   * new transaction meanwhile: the dashboard's queries.
   */
  async checkpoint(attempts = 5): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.run('checkpoint');
        return;
      } catch (error) {
        if (attempt >= attempts || !/other write transactions/i.test(causeMessage(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  /** Releases the file lock: checkpoints and closes the instance. */
  closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    // At once, so that opening the file again right after this gets a new instance.
    Database.open_.delete(`${this.file}|${this.readOnly ? 'ro' : 'rw'}`);
    this.instance.closeSync();
  }

  static async closeAll(): Promise<void> {
    const all = await Promise.allSettled(Database.open_.values());
    for (const result of all) if (result.status === 'fulfilled') result.value.closeSync();
    Database.open_.clear();
  }
}

/**
 * The database holds token hashes and every figure of the business: the file and its log are
 * 0600, and the process creates files for its owner only (umask 077), so the write-ahead log, spill
 * files and exports DuckDB writes later are private too. A folder it creates for the database is
 * 0700; a folder that was already there keeps its mode: it is the user's (a project folder, a
 * shared /tmp other services write to), and the files in it are private either way.
 */
function makePrivate(folder: string): void {
  process.umask(0o077);
  const created = mkdirSync(folder, { recursive: true, mode: 0o700 });
  if (created !== undefined) chmodSync(folder, 0o700);
}

let signalHandlersInstalled = false;

/** SIGINT/SIGTERM close every open database so the next process can take the file lock. */
function installCloseOnSignal(): void {
  if (signalHandlersInstalled) return;
  signalHandlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void Database.closeAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}
