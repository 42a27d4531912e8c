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
  /**
   * Whether this build applies a slice to the published table (`is_incremental()`); without it,
   * whether there is a window. An incremental run over an empty table has no window.
   */
  incremental?: boolean;
}

/** Rendered SQL with, for each of its lines, the 1-based line of the model file it came from. */
export interface RenderedSql {
  text: string;
  fileLines: number[];
}

const placeholder = /\{\{\s*([\s\S]*?)\s*\}\}/g;
const blockTag = /^\s*\{%-?\s*([\s\S]*?)\s*-?%\}\s*$/;
const anyBlockTag = /\{%[\s\S]*?%\}/;
const refCall = /^ref\(\s*['"]([A-Za-z0-9_]+)['"]\s*\)$/;
const windowCall = /^incremental_window\(\s*'((?:[^']|'')*)'\s*\)$/;

/**
 * Replaces the placeholders of a body and keeps the lines of the `{% if is_incremental() %}` branch
 * that applies (a line of its own each: `{% if is_incremental() %}`, `{% else %}`, `{% endif %}`;
 * they nest). A line left out becomes an empty line, so DuckDB's line numbers still map to the file.
 * An unknown placeholder or tag fails naming the file and line.
 */
export function renderSql(model: Pick<ModelFile, 'name' | 'file' | 'body' | 'bodyLine'>, context: RenderContext): RenderedSql {
  const text: string[] = [];
  const fileLines: number[] = [];
  const bodyLines = model.body.replace(/[\s;]+$/, '').split('\n');
  const branches = new BranchStack(model, context.incremental ?? context.window !== undefined);
  bodyLines.forEach((line, index) => {
    const fileLine = model.bodyLine + index;
    if (branches.consume(line, fileLine) || !branches.active) {
      text.push('');
      fileLines.push(fileLine);
      return;
    }
    const rendered = line.replace(placeholder, (_, inner: string) => expand(inner, context, model, fileLine));
    for (const part of rendered.split('\n')) {
      text.push(part);
      fileLines.push(fileLine);
    }
  });
  branches.finish(model.bodyLine + bodyLines.length - 1);
  return { text: text.join('\n'), fileLines };
}

/** The open `{% if %}` blocks of a body being rendered: whether the current line is kept. */
class BranchStack {
  private readonly open: { kept: boolean; inElse: boolean; line: number }[] = [];

  constructor(
    private readonly model: Pick<ModelFile, 'name' | 'file'>,
    private readonly incremental: boolean,
  ) {}

  get active(): boolean {
    return this.open.every((block) => block.kept !== block.inElse);
  }

  /** True when the line is a block tag (and so never part of the SQL). */
  consume(line: string, fileLine: number): boolean {
    const tag = blockTag.exec(line);
    if (!tag) {
      if (anyBlockTag.test(line)) this.fail(fileLine, `a {% ... %} tag must be alone on its line`);
      return false;
    }
    const words = tag[1];
    if (/^if\s+(not\s+)?is_incremental\(\)$/.test(words)) {
      this.open.push({ kept: words.includes('not') ? !this.incremental : this.incremental, inElse: false, line: fileLine });
    } else if (words === 'else') {
      const block = this.open.at(-1);
      if (!block || block.inElse) this.fail(fileLine, `{% else %} without an open {% if %}`);
      block!.inElse = true;
    } else if (words === 'endif') {
      if (!this.open.pop()) this.fail(fileLine, `{% endif %} without an open {% if %}`);
    } else {
      this.fail(fileLine, `{% ${words} %} is not a tag the runner knows (use {% if is_incremental() %}, {% else %}, {% endif %})`);
    }
    return true;
  }

  finish(lastLine: number): void {
    const block = this.open.at(-1);
    if (block) this.fail(block.line, `{% if %} is never closed with {% endif %} (the body ends at line ${lastLine})`);
  }

  private fail(fileLine: number, message: string): never {
    throw new ModelError(`${this.model.file}:${fileLine}: ${message}`, { model: this.model.name, file: this.model.file, line: fileLine });
  }
}

function expand(inner: string, context: RenderContext, model: Pick<ModelFile, 'name' | 'file'>, fileLine: number): string {
  const ref = refCall.exec(inner);
  if (ref) return context.ref(ref[1]);
  if (inner === 'this') return context.self;
  if (inner === 'is_incremental()') return (context.incremental ?? context.window !== undefined) ? 'true' : 'false';
  const window = windowCall.exec(inner);
  if (window) {
    if (!context.window) return 'true';
    return `(${window[1].replace(/''/g, "'")} ${context.window.operator} ${context.window.literal})`;
  }
  throw new ModelError(
    `${model.file}:${fileLine}: {{ ${inner} }} is not a placeholder the runner knows (use ref('model'), this, is_incremental(), incremental_window('column') or a macro of models/macros)`,
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
