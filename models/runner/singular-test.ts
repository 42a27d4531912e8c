import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ModelError } from '../../core/errors.ts';
import { readHeader } from './model-file.ts';
import { refsOf } from './render-sql.ts';
import type { Severity } from './test-spec.ts';

/**
 * A singular test: `tests/<name>.sql`, a query returning the rows that break a rule. Attached to a
 * model (`-- model: name`) it audits that model's staged result before publish; otherwise it runs
 * once the models it refs are built.
 */
export interface SingularTest {
  name: string;
  file: string;
  severity: Severity;
  model?: string;
  description?: string;
  body: string;
  bodyLine: number;
  dependsOn: string[];
}

export function readSingularTest(file: string): SingularTest {
  const lines = readFileSync(file, 'utf8').split('\n');
  const { settings, description, bodyIndex } = readHeader(lines);
  const name = path.basename(file, '.sql');
  const severity = settings.severity ?? 'error';
  if (severity !== 'error' && severity !== 'warn') {
    throw new ModelError(`${file}: severity: ${JSON.stringify(severity)} is not one of error, warn`, { model: name, file });
  }
  const body = lines.slice(bodyIndex).join('\n');
  return { name, file, severity, model: settings.model || undefined, description, body, bodyLine: bodyIndex + 1, dependsOn: refsOf(body) };
}
