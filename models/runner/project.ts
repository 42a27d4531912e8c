import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelError } from '../../core/errors.ts';
import { quotedIdentifier } from '../../db/database.ts';
import { readModelFile, type Layer, type ModelFile } from './model-file.ts';
import { refsOf, renderSql } from './render-sql.ts';
import { readSingularTest, type SingularTest } from './singular-test.ts';
import { expandMacros, readMacros, type SqlMacro } from './sql-macro.ts';

export const defaultModelsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const layers: readonly Layer[] = ['staging', 'intermediate', 'marts'];

export interface Model extends ModelFile {
  /** Names of the models this one selects from. */
  dependsOn: string[];
}

export interface Project {
  modelsDir: string;
  models: Map<string, Model>;
  /** Model names in an order where every model comes after its dependencies. */
  order: string[];
  /** `tests/*.sql`: queries returning failing rows. */
  singularTests: SingularTest[];
  /** `macros/*.sql`: the shared rules, already expanded in every model and test body. */
  macros: Map<string, SqlMacro>;
}

/**
 * Loads every `<layer>/*.sql` and `tests/*.sql`, expands the `macros/*.sql` they call, resolves refs
 * and orders the DAG; a cycle is reported as its path.
 */
export function loadProject(modelsDir = defaultModelsDir): Project {
  const models = new Map<string, Model>();
  const macros = readMacros(path.join(modelsDir, 'macros'));
  for (const layer of layers) {
    for (const file of sqlFiles(path.join(modelsDir, layer))) {
      const read = readModelFile(file, layer);
      const model = { ...read, body: expandMacros(read.body, macros, read) };
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(model.name)) {
        throw new ModelError(`${file}: a model file is named after its relation: letters, digits and _ only`, { model: model.name, file });
      }
      const other = models.get(model.name);
      if (other) throw new ModelError(`${file}: model name ${model.name} is also used by ${other.file}`, { model: model.name, file });
      models.set(model.name, { ...model, dependsOn: refsOf(model.body) });
    }
  }
  const singularTests = sqlFiles(path.join(modelsDir, 'tests')).map((file) => {
    const test = readSingularTest(file);
    const body = expandMacros(test.body, macros, test);
    return { ...test, body, dependsOn: refsOf(body) };
  });
  for (const node of [...models.values(), ...singularTests]) {
    for (const dependency of node.dependsOn) {
      if (!models.has(dependency)) {
        const line = lineOf(node, `ref`, dependency);
        throw new ModelError(`${node.file}:${line}: ref('${dependency}') names no model (models: ${[...models.keys()].sort().join(', ') || 'none'})`, { model: node.name, file: node.file, line });
      }
    }
  }
  for (const test of singularTests) {
    if (test.model && !models.has(test.model)) {
      throw new ModelError(`${test.file}: model: ${test.model} names no model`, { model: test.name, file: test.file });
    }
  }
  return { modelsDir, models, order: topologicalOrder(models), singularTests, macros };
}

function sqlFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => path.join(folder, file));
}

function lineOf(node: { body: string; bodyLine: number }, ...words: string[]): number {
  const index = node.body.split('\n').findIndex((text) => words.every((word) => text.includes(word)));
  return node.bodyLine + Math.max(0, index);
}

/** Depth-first order; a cycle fails naming the ref that closes it and the whole path. */
export function topologicalOrder(models: Map<string, Model>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      const closing = models.get(trail.at(-1)!)!;
      const line = lineOf(closing, name);
      throw new ModelError(`${closing.file}:${line}: dependency cycle ${cycle.join(' -> ')}`, { model: closing.name, file: closing.file, line });
    }
    state.set(name, 'visiting');
    for (const dependency of models.get(name)!.dependsOn) visit(dependency, [...trail, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of models.keys()) visit(name, []);
  return order;
}

/** The relation a model is published as: its layer is its schema. */
export function relationOf(model: Pick<ModelFile, 'layer' | 'name'>): { schema: string; name: string } {
  return { schema: model.layer, name: model.name };
}

export function quotedRelation(schema: string, name: string): string {
  return `${quotedIdentifier(schema)}.${quotedIdentifier(name)}`;
}

/** What a `ref('name')` compiles to: the published relation, or an ephemeral model's SQL in parentheses. */
export function refTarget(project: Project, name: string, seen: string[] = []): string {
  const target = project.models.get(name)!;
  if (target.materialized !== 'ephemeral') return quotedRelation(target.layer, target.name);
  const body = renderSql(target, { ref: (inner) => refTarget(project, inner, [...seen, name]), self: quotedRelation(target.layer, target.name) });
  return `(${body.text}\n)`;
}

/** The body with every ref replaced by the quoted relation it names (a full build's SQL). */
export function compileBody(model: Model, project: Project): string {
  return renderSql(model, { ref: (name) => refTarget(project, name), self: quotedRelation(model.layer, model.name) }).text;
}
