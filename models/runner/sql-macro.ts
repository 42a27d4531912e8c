import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ModelError } from '../../core/errors.ts';
import { parseList, readHeader } from './model-file.ts';
import { splitTopLevel } from './split-top-level.ts';

/**
 * A business rule written once as a SQL expression: `macros/<name>.sql`, called from any model or
 * test as `{{ name('arg', ...) }}`. The file's header is a one-line description and
 * `-- params: [a, b]`; the body is the expression, where `{{ a }}` stands for an argument's text
 * (an alias, a column, any SQL expression). A body may call other macros, passing its own params
 * by name: `{{ free_units(state) }}`.
 */
export interface SqlMacro {
  name: string;
  file: string;
  description?: string;
  params: string[];
  /** The expression on one line, so a model's line numbers still map to its file after expansion. */
  body: string;
}

/** Where a macro is called from, for the errors. */
interface CallSite {
  name: string;
  file: string;
  bodyLine: number;
}

const placeholder = /\{\{\s*([\s\S]*?)\s*\}\}/g;
const call = /^([A-Za-z_][A-Za-z0-9_]*)\(([\s\S]*)\)$/;
const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
const quoted = /^'((?:[^']|'')*)'$/;
const reserved = ['ref', 'this', 'is_incremental', 'incremental_window'];
/** Deep enough for rules built on rules; deeper is a macro calling itself. */
const maxDepth = 10;

/** Reads every `<folder>/*.sql` as a macro; none when the folder does not exist. */
export function readMacros(folder: string): Map<string, SqlMacro> {
  const macros = new Map<string, SqlMacro>();
  if (!existsSync(folder)) return macros;
  for (const entry of readdirSync(folder).filter((file) => file.endsWith('.sql')).sort()) {
    const file = path.join(folder, entry);
    const name = path.basename(entry, '.sql');
    if (!identifier.test(name)) throw new ModelError(`${file}: a macro file is named after the macro: letters, digits and _ only`, { model: name, file });
    if (reserved.includes(name)) throw new ModelError(`${file}: ${name} is a placeholder of the runner; name the macro otherwise`, { model: name, file });
    const lines = readFileSync(file, 'utf8').split('\n');
    const { settings, description, bodyIndex } = readHeader(lines);
    const params = parseList(settings.params);
    const bad = params.find((param) => !identifier.test(param));
    if (bad !== undefined) throw new ModelError(`${file}: params: ${JSON.stringify(bad)} is not a name (letters, digits and _)`, { model: name, file });
    const body = lines
      .slice(bodyIndex)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('--'))
      .join(' ');
    if (body === '') throw new ModelError(`${file}: the macro has no body (write its SQL expression after the header)`, { model: name, file });
    macros.set(name, { name, file, description, params, body });
  }
  return macros;
}

/**
 * The text with every macro call replaced by its expansion; other placeholders (`ref`, `this`,
 * `incremental_window`) are left for the renderer. A call with the wrong number of arguments, or
 * an argument that is neither quoted nor a param of the calling macro, fails naming file and line.
 */
export function expandMacros(text: string, macros: ReadonlyMap<string, SqlMacro>, site: CallSite): string {
  if (macros.size === 0) return text;
  return text
    .split('\n')
    .map((line, index) => expandLine(line, macros, site, site.bodyLine + index, new Map(), 0))
    .join('\n');
}

function expandLine(line: string, macros: ReadonlyMap<string, SqlMacro>, site: CallSite, fileLine: number, scope: ReadonlyMap<string, string>, depth: number): string {
  const fail = (message: string): never => {
    throw new ModelError(`${site.file}:${fileLine}: ${message}`, { model: site.name, file: site.file, line: fileLine });
  };
  return line.replace(placeholder, (whole, inner: string) => {
    if (scope.has(inner)) return scope.get(inner)!;
    const match = call.exec(inner);
    const macro = match ? macros.get(match[1]) : undefined;
    if (!match || !macro) return whole;
    if (depth >= maxDepth) fail(`{{ ${inner} }}: macros nest more than ${maxDepth} deep (does ${macro.name} call itself?)`);
    const args = splitTopLevel(match[2]).map((arg) => {
      const text = quoted.exec(arg);
      if (text) return text[1].replace(/''/g, "'");
      if (scope.has(arg)) return scope.get(arg)!;
      return fail(`{{ ${inner} }}: argument ${arg} must be quoted ('t.on_hand')${scope.size > 0 ? ` or a param of the calling macro (${[...scope.keys()].join(', ')})` : ''}`);
    });
    if (args.length !== macro.params.length) {
      fail(`{{ ${inner} }}: ${macro.name} takes ${macro.params.length} argument${macro.params.length === 1 ? '' : 's'} (${macro.params.join(', ')}), got ${args.length} (${macro.file})`);
    }
    const bound = new Map(macro.params.map((param, index) => [param, args[index]!]));
    return expandLine(macro.body, macros, site, fileLine, bound, depth + 1);
  });
}
