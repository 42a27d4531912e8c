/**
 * The few error classes Stocklens throws on purpose. Each carries the context a user needs to
 * act (which file, key, source, batch, model) and keeps the underlying cause behind it.
 * Anything else reaching the CLI is a bug and is printed with its stack.
 */
export class StocklensError extends Error {
  /** Process exit code when this error ends a CLI command. */
  readonly exitCode: number = 1;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A configuration file that cannot be read or does not match the expected shape. */
export class ConfigError extends StocklensError {
  constructor(
    message: string,
    readonly file?: string,
    readonly key?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A source, file or batch that cannot be landed. */
export class IngestError extends StocklensError {
  constructor(
    message: string,
    readonly context: { source?: string; batch?: string; file?: string; line?: number; transient?: boolean } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A SQL model that cannot be parsed, resolved, built or tested. */
export class ModelError extends StocklensError {
  constructor(
    message: string,
    readonly context: { model?: string; file?: string; line?: number; sql?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A query refused or failed on behalf of a user (SQL endpoint, `stocklens sql`). */
export class QueryError extends StocklensError {}

/** DuckDB's own message, without the stack-like prefixes it repeats. */
export function causeMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
