import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDurationMs } from '../../core/duration.ts';
import { ModelError } from '../../core/errors.ts';
import { splitTopLevel } from './split-top-level.ts';
import { parseTestSpec, type TestSpec } from './test-spec.ts';

export type Materialization = 'view' | 'table' | 'incremental' | 'ephemeral';
export type Layer = 'staging' | 'intermediate' | 'marts';
export type IncrementalStrategy = 'append' | 'delete+insert' | 'merge';
export type OnSchemaChange = 'fail' | 'append_new_columns';

/** One SQL model: the file, its header settings and its body. */
export interface ModelFile {
  name: string;
  layer: Layer;
  file: string;
  materialized: Materialization;
  description?: string;
  tags: string[];
  /** The header's `tests:` specs, parsed. */
  tests: TestSpec[];
  uniqueKey: string[];
  /** Incremental settings; the strategy defaults to merge with a unique_key, append without. */
  incrementalStrategy: IncrementalStrategy;
  timeColumn?: string;
  lookbackMs: number;
  onSchemaChange: OnSchemaChange;
  /** The SQL body (the header comment lines stripped), still with `{{ ref('x') }}`. */
  body: string;
  /** 1-based line in the file where the body starts, for error positions. */
  bodyLine: number;
  /** Every header key as written, for settings the runner grows later. */
  settings: Record<string, string>;
}

const materializations: readonly Materialization[] = ['view', 'table', 'incremental', 'ephemeral'];
const strategies: readonly IncrementalStrategy[] = ['append', 'delete+insert', 'merge'];
const schemaChanges: readonly OnSchemaChange[] = ['fail', 'append_new_columns'];
const defaultByLayer: Record<Layer, Materialization> = { staging: 'view', intermediate: 'table', marts: 'table' };

export interface Header {
  settings: Record<string, string>;
  /** 1-based line of each setting, so a bad value is reported where it is written. */
  lines: Record<string, number>;
  description?: string;
  bodyIndex: number;
}

/**
 * The header is the leading run of comment lines: a one-line description, then `-- key: value`
 * settings; the first plain comment line after the settings starts the body. A key written twice
 * (a long `tests:` list) is joined with commas.
 */
export function readHeader(lines: string[]): Header {
  const settings: Record<string, string> = {};
  const lineOf: Record<string, number> = {};
  let description: string | undefined;
  let index = 0;
  for (; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === '') continue;
    const comment = /^--\s?(.*)$/.exec(line);
    if (!comment) break;
    const setting = /^([a-z_]+):\s*(.*)$/.exec(comment[1]);
    // Prose after the settings (`-- before t: a system that…`) is a comment of the body, not a key.
    if (Object.keys(settings).length > 0 && !setting) break;
    if (setting) {
      const [, key, value] = setting;
      settings[key] = settings[key] ? `${settings[key]}, ${value.trim()}` : value.trim();
      lineOf[key] ??= index + 1;
    } else if (description === undefined && comment[1].trim() !== '') description = comment[1].trim();
  }
  return { settings, lines: lineOf, description, bodyIndex: index };
}

/** Reads a model file; a bad header value fails with the file, the line and what is allowed. */
export function readModelFile(file: string, layer: Layer): ModelFile {
  const lines = readFileSync(file, 'utf8').split('\n');
  const { settings, lines: lineOf, description, bodyIndex } = readHeader(lines);
  const name = path.basename(file, '.sql');
  const fail = (key: string, message: string): never => {
    const line = lineOf[key];
    throw new ModelError(`${file}${line ? `:${line}` : ''}: ${key}: ${message}`, { model: name, file, line });
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const value = (settings[key] ?? fallback) as T;
    return allowed.includes(value) ? value : fail(key, `${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  };
  const materialized = oneOf('materialized', materializations, defaultByLayer[layer]);
  const uniqueKey = parseList(settings.unique_key);
  const incrementalStrategy = oneOf('incremental_strategy', strategies, uniqueKey.length > 0 ? 'merge' : 'append');
  if (materialized === 'incremental' && incrementalStrategy !== 'append' && uniqueKey.length === 0) {
    fail('incremental_strategy', `${incrementalStrategy} needs a unique_key (the columns that identify a row)`);
  }
  const lookbackMs = settings.lookback ? parseDurationMs(settings.lookback) : 0;
  if (lookbackMs === undefined) fail('lookback', `${JSON.stringify(settings.lookback)} is not a duration (write 30m, 2h or 1d)`);
  const tests = splitTopLevel(settings.tests ?? '').map((spec) => {
    try {
      return parseTestSpec(spec);
    } catch (error) {
      return fail('tests', (error as Error).message);
    }
  });
  return {
    name,
    layer,
    file,
    materialized,
    description: settings.description ?? description,
    tags: parseList(settings.tags),
    tests,
    uniqueKey,
    incrementalStrategy,
    timeColumn: settings.time_column || undefined,
    lookbackMs: lookbackMs!,
    onSchemaChange: oneOf('on_schema_change', schemaChanges, 'fail'),
    body: lines.slice(bodyIndex).join('\n'),
    bodyLine: bodyIndex + 1,
    settings,
  };
}

/** `[a, b]`, `a, b` or `a` to a list of names. */
export function parseList(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .replace(/^\[|\]$/g, '')
    .split(',')
    .map((item) => item.trim().replace(/^['"]|['"]$/g, ''))
    .filter(Boolean);
}
