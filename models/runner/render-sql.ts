import { ModelError } from '../../core/errors.ts';
import type { ModelFile } from './model-file.ts';

/** What a model's `{{ ... }}` placeholders stand for in one build. */
export interface RenderContext {
  /** The relation (or the parenthesised SQL of an ephemeral model) a `ref('name')` stands for. */
  ref(name: string): string;
  /** The relation `{{ this }}` names: the model's published target. */
  self: string;
  /**
   * The incremental predicate: undefined on a full build (every row), else the operator and the
   * lower-bound literal: `>=` with a lookback, `>` for append (a row at the bound is already in).
   */
  window?: { operator: '>=' | '>'; literal: string };
}

/** Rendered SQL with, for each of its lines, the 1-based line of the model file it came from. */
export interface RenderedSql {
  text: string;
  fileLines: number[];
}

const placeholder = /\{\{\s*([\s\S]*?)\s*\}\}/g;
const refCall = /^ref\(\s*['"]([A-Za-z0-9_]+)['"]\s*\)$/;
const windowCall = /^incremental_window\(\s*'((?:[^']|'')*)'\s*\)$/;

/** Replaces the placeholders of a body; an unknown one fails naming the file and line. */
export function renderSql(model: Pick<ModelFile, 'name' | 'file' | 'body' | 'bodyLine'>, context: RenderContext): RenderedSql {
  const text: string[] = [];
  const fileLines: number[] = [];
  const bodyLines = model.body.replace(/[\s;]+$/, '').split('\n');
  bodyLines.forEach((line, index) => {
    const fileLine = model.bodyLine + index;
    const rendered = line.replace(placeholder, (_, inner: string) => expand(inner, context, model, fileLine));
    for (const part of rendered.split('\n')) {
      text.push(part);
      fileLines.push(fileLine);
    }
  });
  return { text: text.join('\n'), fileLines };
}

function expand(inner: string, context: RenderContext, model: Pick<ModelFile, 'name' | 'file'>, fileLine: number): string {
  const ref = refCall.exec(inner);
  if (ref) return context.ref(ref[1]);
  if (inner === 'this') return context.self;
  const window = windowCall.exec(inner);
  if (window) {
    if (!context.window) return 'true';
    return `(${window[1].replace(/''/g, "'")} ${context.window.operator} ${context.window.literal})`;
  }
  throw new ModelError(
    `${model.file}:${fileLine}: {{ ${inner} }} is not a placeholder the runner knows (use ref('model'), this or incremental_window('column'))`,
    { model: model.name, file: model.file, line: fileLine },
  );
}

/** The refs a body names, in order of first use. */
export function refsOf(body: string): string[] {
  const names = new Set<string>();
  for (const match of body.matchAll(placeholder)) {
    const ref = refCall.exec(match[1]);
    if (ref) names.add(ref[1]);
  }
  return [...names];
}

/**
 * DuckDB's message with its `LINE n:` (a line of the statement we sent) turned into the model
 * file's line, and that line as the error's position. The statement must start on the body's first
 * line (our prefix `create table … as ` adds no line break).
 */
export function locateError(message: string, rendered: RenderedSql): { line?: number; message: string } {
  const match = /LINE (\d+):/.exec(message);
  if (!match) return { message };
  const line = rendered.fileLines[Number(match[1]) - 1];
  if (line === undefined) return { message };
  return { line, message: message.replace(/LINE \d+:/, `LINE ${line}:`) };
}
