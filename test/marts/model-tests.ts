import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from '../../db/database.ts';
import { defaultModelsDir, loadProject, relationOf } from '../../models/runner/project.ts';

export interface FailedCheck {
  check: string;
  failures: number;
}

/**
 * Runs the data tests of the stage's models against a built database: every mart's header tests
 * (not_null, unique, accepted_values, expression) and the singular tests in models/tests. The runner
 * runs them at build time; here they guard the marts' own specs in the accuracy scenarios.
 */
export async function runModelTests(db: Database, modelsDir = defaultModelsDir): Promise<FailedCheck[]> {
  const project = loadProject(modelsDir);
  const relation = (name: string) => {
    const { schema, name: table } = relationOf(project.models.get(name)!);
    return `"${schema}"."${table}"`;
  };
  const checks: { check: string; sql: string }[] = [];
  for (const model of project.models.values()) {
    if (model.layer === 'staging' || model.materialized === 'view') continue;
    for (const spec of model.tests) {
      const match = /^(\w+)\((.*)\)$/s.exec(spec);
      if (!match) throw new Error(`${model.file}: invalid test ${spec}`);
      const [, kind, args] = match;
      const target = relation(model.name);
      const sql =
        kind === 'not_null' ? `select * from ${target} where ${args} is null`
        : kind === 'unique' ? `select ${args} from ${target} group by ${args} having count(*) > 1`
        : kind === 'accepted_values' ? `select * from ${target} where ${args.slice(0, args.indexOf(','))} not in (${args.slice(args.indexOf('[') + 1, args.lastIndexOf(']'))})`
        : kind === 'expression' ? `select * from ${target} where not coalesce(${args}, false)`
        : undefined;
      if (!sql) throw new Error(`${model.file}: unknown test kind ${kind}`);
      checks.push({ check: `${model.name}: ${spec}`, sql });
    }
  }
  const testsDir = path.join(modelsDir, 'tests');
  for (const file of readdirSync(testsDir).filter((name) => name.endsWith('.sql'))) {
    const body = readFileSync(path.join(testsDir, file), 'utf8').replace(/\{\{\s*ref\('(\w+)'\)\s*\}\}/g, (_, name: string) => relation(name));
    checks.push({ check: file, sql: body });
  }
  const failed: FailedCheck[] = [];
  for (const { check, sql } of checks) {
    const row = await db.one<{ n: number }>(`select count(*)::int as n from (${sql})`);
    if (row!.n > 0) failed.push({ check, failures: row!.n });
  }
  return failed;
}
