import { ModelError } from '../../core/errors.ts';
import type { Project } from './project.ts';

/**
 * dbt's node selection: `name`, `tag:x`, `+name` (with its ancestors), `name+` (with its
 * descendants). Words separated by spaces are a union; words joined by commas an intersection
 * (`tag:marts,fct_x+`). An empty selection selects every model.
 */
export function selectModels(project: Project, selectors: string[]): Set<string> {
  const words = selectors.flatMap((selector) => selector.split(/\s+/)).filter(Boolean);
  if (words.length === 0) return new Set(project.order);
  const selected = new Set<string>();
  for (const word of words) {
    const parts = word.split(',').filter(Boolean).map((part) => selectOne(project, part));
    for (const name of parts[0]) if (parts.every((part) => part.has(name))) selected.add(name);
  }
  return selected;
}

function selectOne(project: Project, selector: string): Set<string> {
  const match = /^(\+?)(.*?)(\+?)$/.exec(selector)!;
  const [, up, core, down] = match;
  let roots: string[];
  if (core.startsWith('tag:')) {
    const tag = core.slice(4);
    roots = [...project.models.values()].filter((model) => model.tags.includes(tag)).map((model) => model.name);
    if (roots.length === 0) throw new ModelError(`--select ${selector}: no model has tag ${tag}`);
  } else {
    if (!project.models.has(core)) throw new ModelError(`--select ${selector}: ${core} names no model (models: ${project.order.join(', ')})`);
    roots = [core];
  }
  const result = new Set(roots);
  if (up) for (const root of roots) walk(root, (name) => project.models.get(name)!.dependsOn, result);
  if (down) {
    const children = childrenOf(project);
    for (const root of roots) walk(root, (name) => children.get(name) ?? [], result);
  }
  return result;
}

function walk(start: string, next: (name: string) => string[], into: Set<string>): void {
  const stack = [start];
  while (stack.length > 0) {
    for (const name of next(stack.pop()!)) {
      if (!into.has(name)) {
        into.add(name);
        stack.push(name);
      }
    }
  }
}

export function childrenOf(project: Project): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const model of project.models.values()) {
    for (const parent of model.dependsOn) children.set(parent, [...(children.get(parent) ?? []), model.name]);
  }
  return children;
}
