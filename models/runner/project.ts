import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelError } from '../../core/errors.ts';
import { readModelFile, type Layer, type ModelFile } from './model-file.ts';

export const defaultModelsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const layers: readonly Layer[] = ['staging', 'intermediate', 'marts'];
const refPattern = /\{\{\s*ref\(\s*['"]([A-Za-z0-9_]+)['"]\s*\)\s*\}\}/g;

export interface Model extends ModelFile {
  /** Names of the models this one selects from. */
  dependsOn: string[];
}

export interface Project {
  models: Map<string, Model>;
  /** Model names in an order where every model comes after its dependencies. */
  order: string[];
}

/** Loads every `<layer>/*.sql`, resolves refs and orders the DAG; a cycle is reported as its path. */
export function loadProject(modelsDir = defaultModelsDir): Project {
  const models = new Map<string, Model>();
  for (const layer of layers) {
    const folder = path.join(modelsDir, layer);
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder).filter((file) => file.endsWith('.sql')).sort()) {
      const file = readModelFile(path.join(folder, name), layer);
      if (models.has(file.name)) throw new ModelError(`${file.file}: model name ${file.name} is also used by ${models.get(file.name)!.file}`, { model: file.name, file: file.file });
      models.set(file.name, { ...file, dependsOn: [...new Set([...file.body.matchAll(refPattern)].map((match) => match[1]))] });
    }
  }
  for (const model of models.values()) {
    for (const dependency of model.dependsOn) {
      if (!models.has(dependency)) {
        const line = model.body.split('\n').findIndex((text) => text.includes(dependency)) + model.bodyLine;
        throw new ModelError(`${model.file}:${line}: ref('${dependency}') names no model`, { model: model.name, file: model.file, line });
      }
    }
  }
  return { models, order: topologicalOrder(models) };
}

function topologicalOrder(models: Map<string, Model>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      const model = models.get(name)!;
      throw new ModelError(`${model.file}: dependency cycle ${cycle.join(' -> ')}`, { model: name, file: model.file });
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

/** The body with every ref replaced by the quoted relation it names. */
export function compileBody(model: Model, project: Project): string {
  return model.body.replace(refPattern, (_, name: string) => {
    const target = project.models.get(name)!;
    if (target.materialized === 'ephemeral') return `(${compileBody(target, project)})`;
    const relation = relationOf(target);
    return `"${relation.schema}"."${relation.name}"`;
  });
}
