import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ModelError } from '../../core/errors.ts';

export type Materialization = 'view' | 'table' | 'incremental' | 'ephemeral';
export type Layer = 'staging' | 'intermediate' | 'marts';

/** One SQL model: the file, its header settings and its body. */
export interface ModelFile {
  name: string;
  layer: Layer;
  file: string;
  materialized: Materialization;
  description?: string;
  tags: string[];
  /** Raw test specs from the header, parsed by the test stage. */
  tests: string[];
  uniqueKey: string[];
  /** The SQL body (the header comment lines stripped), still with `{{ ref('x') }}`. */
  body: string;
  /** 1-based line in the file where the body starts, for error positions. */
  bodyLine: number;
  /** Every other header key, for settings the runner grows later. */
  settings: Record<string, string>;
}

const materializations: readonly Materialization[] = ['view', 'table', 'incremental', 'ephemeral'];
const defaultByLayer: Record<Layer, Materialization> = { staging: 'view', intermediate: 'table', marts: 'table' };

/**
 * Reads a model file. The header is the leading run of `-- key: value` comment lines; the first
 * plain `-- text` line without a key is the model's one-line description.
 */
export function readModelFile(file: string, layer: Layer): ModelFile {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const settings: Record<string, string> = {};
  let description: string | undefined;
  let index = 0;
  for (; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === '') continue;
    const comment = /^--\s?(.*)$/.exec(line);
    if (!comment) break;
    const setting = /^([a-z_]+):\s*(.*)$/.exec(comment[1]);
    if (setting) settings[setting[1]] = setting[2].trim();
    else if (description === undefined && comment[1].trim() !== '') description = comment[1].trim();
  }
  const name = path.basename(file, '.sql');
  const materialized = (settings.materialized ?? defaultByLayer[layer]) as Materialization;
  if (!materializations.includes(materialized)) {
    throw new ModelError(`${file}: materialized: ${JSON.stringify(materialized)} is not one of ${materializations.join(', ')}`, { model: name, file });
  }
  return {
    name,
    layer,
    file,
    materialized,
    description: settings.description ?? description,
    tags: parseList(settings.tags),
    tests: splitTopLevel(settings.tests ?? ''),
    uniqueKey: parseList(settings.unique_key),
    body: lines.slice(index).join('\n'),
    bodyLine: index + 1,
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

/** Splits `a(x, y), b(z)` on the commas outside parentheses and brackets. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(' || char === '[') depth++;
    if (char === ')' || char === ']') depth--;
    if (char === ',' && depth === 0) {
      if (current.trim()) parts.push(current.trim());
      current = '';
    } else current += char;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}
