import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type ParsedConfig } from './config-schema.ts';
import { parseDurationMs } from './duration.ts';
import { ConfigError } from './errors.ts';

export const defaultConfigFile = 'stocklens.config.yaml';

/** A validated configuration: paths absolute, durations in milliseconds, frozen. */
export type Config = Readonly<
  ParsedConfig & {
    /** Absolute path of the file it was read from. */
    file: string;
    /** Absolute path of the DuckDB database file inside data_dir. */
    databaseFile: string;
    compareEveryMs: number;
    lagLookbackMs: number;
  }
>;

/** Reads, substitutes `${ENV}`, validates and resolves a config file; throws ConfigError naming the key. */
export function loadConfig(file = defaultConfigFile, env: NodeJS.ProcessEnv = process.env): Config {
  const absolute = path.resolve(file);
  const relative = path.relative(process.cwd(), absolute);
  const label = relative && !relative.startsWith('..') ? relative : absolute;
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? ' (run `stocklens demo` to create a demo setup, or pass --config PATH)' : '';
    throw new ConfigError(`${label}: cannot read the config file: ${code ?? error}${hint}`, label, undefined, { cause: error });
  }
  return parseConfig(text, absolute, env, label);
}

export function parseConfig(text: string, absoluteFile: string, env: NodeJS.ProcessEnv = process.env, label = absoluteFile): Config {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const where = first.linePos ? `:${first.linePos[0].line}:${first.linePos[0].col}` : '';
    throw new ConfigError(`${label}${where}: not valid YAML: ${first.message.split('\n')[0]}`, label);
  }
  const raw = substituteEnv(document.toJS() ?? {}, env, label, []);
  const result = configSchema.safeParse(raw);
  if (!result.success) throw toConfigError(result.error, raw, label);
  const parsed = result.data;
  const folder = path.dirname(absoluteFile);
  const dataDir = path.resolve(folder, parsed.data_dir);
  const config = {
    ...parsed,
    file: absoluteFile,
    data_dir: dataDir,
    databaseFile: path.join(dataDir, 'stocklens.duckdb'),
    duckdb: { ...parsed.duckdb, temp_directory: path.resolve(folder, parsed.duckdb.temp_directory ?? path.join(dataDir, 'tmp')) },
    compareEveryMs: parseDurationMs(parsed.compare_every)!,
    lagLookbackMs: parseDurationMs(parsed.lag_lookback)!,
    sources: parsed.sources.map((source) => ({
      ...source,
      path: source.path && path.resolve(folder, source.path),
      symlink_roots: source.symlink_roots.map((root) => path.resolve(folder, root)),
    })),
    locations: parsed.locations.map((location) => ({
      ...location,
      // The WMS counts are the truth unless a location says otherwise.
      truth_source: location.truth_source ?? parsed.sources.find((source) => source.system === 'wms')?.name,
    })),
  };
  return deepFreeze(config);
}

/** Replaces `${NAME}` and `${NAME:-default}` inside string values; a missing variable names its key. */
function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, label: string, keyPath: (string | number)[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
      const found = env[name] ?? fallback;
      if (found === undefined) {
        const key = formatKeyPath(keyPath);
        throw new ConfigError(`${label}: ${key}: environment variable ${name} is not set (export it, or write \${${name}:-default})`, label, key);
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => substituteEnv(item, env, label, [...keyPath, index]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substituteEnv(item, env, label, [...keyPath, key])]));
  }
  return value;
}

function toConfigError(error: z.ZodError, raw: unknown, label: string): ConfigError {
  const lines = error.issues.map((issue) => {
    const key = formatKeyPath(issue.path as (string | number)[]);
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    else if (issue.code === 'invalid_type') {
      const got = valueAt(raw, issue.path as (string | number)[]);
      message = got === undefined ? `is required (expected ${issue.expected})` : `expected ${issue.expected}, got ${JSON.stringify(got)}`;
    }
    return `${label}: ${key ? `${key}: ` : ''}${message}`;
  });
  const first = error.issues[0];
  return new ConfigError(lines.join('\n'), label, formatKeyPath((first?.path ?? []) as (string | number)[]));
}

export function formatKeyPath(keyPath: readonly (string | number)[]): string {
  return keyPath.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${key}` : key), '');
}

function valueAt(root: unknown, keyPath: (string | number)[]): unknown {
  return keyPath.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined), root);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
