import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { causeMessage } from '../core/errors.ts';
import { logger } from '../core/logger.ts';

const reopenEveryMs = 2_000;

/** The database cannot be used now (DuckDB invalidated it and reopening it failed): a 503 to API callers. */
export class DatabaseUnavailable extends Error {
  readonly status = 503;
}

/**
 * One file's DuckDB instance, opened anew after DuckDB invalidates it. A failed write inside a
 * checkpoint (the disk full) makes DuckDB invalidate the whole instance: every later statement
 * fails, even once there is space again. The file itself is intact (its write-ahead log still holds
 * what the checkpoint could not fold in), so opening it anew brings everything back: the next
 * `current()` (a new connection, or a health check) tries that, at most every few seconds.
 */
export class RecoveringInstance {
  /** DuckDB's fatal error since which the instance refuses everything, until it is reopened. */
  private invalidated: Error | undefined;
  private reopening: Promise<void> | undefined;
  private lastReopenAttempt = 0;
  /** Connections being opened in the libuv pool now. */
  private readonly connecting = new Set<Promise<DuckDBConnection>>();
  private closed = false;

  constructor(
    private readonly file: string,
    private instance: DuckDBInstance,
    private readonly settings: Record<string, string>,
  ) {}

  /** The instance to connect to: reopened first when DuckDB invalidated it; DatabaseUnavailable while that fails. */
  async current(): Promise<DuckDBInstance> {
    if (this.invalidated) await this.reopen();
    return this.instance;
  }

  /**
   * A new connection. An instance closed (or reopened) while the connection was being opened
   * waited for it (see closeInstance); the connection is then closed and refused.
   */
  async connect(): Promise<DuckDBConnection> {
    const instance = await this.current();
    if (this.closed) throw new Error(`database ${this.file} is closed`);
    const opening = instance.connect();
    this.connecting.add(opening);
    try {
      const connection = await opening;
      if (this.closed || instance !== this.instance) {
        connection.closeSync();
        throw new Error(`database ${this.file} ${this.closed ? 'is closed' : 'was reopened meanwhile: try again'}`);
      }
      return connection;
    } finally {
      this.connecting.delete(opening);
    }
  }

  /** Told of every error on a connection: a fatal one marks the instance for reopening. */
  readonly noticeFatal = (error: unknown): void => {
    if (!this.invalidated && /^(Error: )?FATAL Error|database has been invalidated/i.test(causeMessage(error))) {
      this.invalidated = error instanceof Error ? error : new Error(String(error));
      logger.error({ err: error, file: this.file }, 'DuckDB invalidated the database after a fatal error; it is reopened once that works (free disk space if it is full)');
    }
  };

  /** Whether the database answers a query now (reopening it after a fatal error when it can); the reason when not. */
  async health(): Promise<{ ok: true } | { ok: false; error: string }> {
    try {
      const connection = await this.connect();
      try {
        await connection.run('select 1 as ok');
      } finally {
        connection.closeSync();
      }
      return { ok: true };
    } catch (error) {
      this.noticeFatal(error);
      return { ok: false, error: causeMessage(error) };
    }
  }

  closeSync(): void {
    this.closed = true;
    this.closeInstance(this.instance);
  }

  /**
   * Closes a DuckDB instance once no connection of it is still being opened in the libuv pool:
   * DuckDB crashes the process when an instance goes away under a connection being made.
   */
  private closeInstance(instance: DuckDBInstance): void {
    const opening = [...this.connecting];
    if (opening.length === 0) return instance.closeSync();
    void Promise.allSettled(opening).then(() => {
      try {
        instance.closeSync();
      } catch (error) {
        logger.warn({ err: error, file: this.file }, 'closing the database failed');
      }
    });
  }

  private async reopen(): Promise<void> {
    this.reopening ??= (async () => {
      if (Date.now() - this.lastReopenAttempt < reopenEveryMs) throw this.unavailable();
      this.lastReopenAttempt = Date.now();
      try {
        this.closeInstance(this.instance);
      } catch {
        // an invalidated instance may refuse to close cleanly: the new one replays the log anyway
      }
      try {
        this.instance = await DuckDBInstance.create(this.file, this.settings);
        this.invalidated = undefined;
        logger.warn({ file: this.file }, 'database reopened after a fatal error');
      } catch (error) {
        this.invalidated = error instanceof Error ? error : new Error(String(error));
        throw this.unavailable();
      }
    })().finally(() => (this.reopening = undefined));
    await this.reopening;
  }

  private unavailable(): DatabaseUnavailable {
    return new DatabaseUnavailable(
      `the database ${this.file} stopped after a fatal error and cannot be used until it reopens (free disk space if it is full; it is retried every ${reopenEveryMs / 1000} s): ${causeMessage(this.invalidated).split('\n')[0]}`,
      { cause: this.invalidated },
    );
  }
}
