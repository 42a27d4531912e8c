import { inline, sql, type Connection, type SQLQuery } from '../../db/database.ts';
import { causeMessage } from '../../core/errors.ts';
import { refTarget, quotedRelation, type Model, type Project } from './project.ts';
import { renderSql } from './render-sql.ts';
import type { TestOutcome } from './run-history.ts';
import type { SingularTest } from './singular-test.ts';
import { testQuery, type TestSpec } from './test-spec.ts';

/** A test ready to run: its name, severity and the query counting failing rows. */
export interface CompiledTest {
  node: string;
  test: string;
  severity: 'error' | 'warn';
  query: SQLQuery;
}

/**
 * The tests that audit a model: its header tests and the singular tests attached to it, all
 * reading `relation` (the staged or would-be result) in place of the published model.
 *
 * On an incremental run (`slice` given) the would-be result is the published rows, which passed
 * these tests when they were published, plus the slice; so row-level tests read the slice alone,
 * and a unique test reads the would-be result only at the slice's keys (or the slice alone when
 * the unique_key it is merged on is among the test's columns). Their cost follows the slice,
 * not the table. Singular tests, which can say anything, read the whole would-be result.
 */
export function modelTests(model: Model, project: Project, relation: SQLQuery, slice?: SQLQuery): CompiledTest[] {
  const resolve = (name: string) => (name === model.name ? relation : sql.__dangerous__rawValue(refTarget(project, name)));
  const mergedOnKey = model.incrementalStrategy !== 'append' && model.uniqueKey.length > 0;
  const query = (spec: TestSpec): SQLQuery => {
    if (!slice) return testQuery(spec, relation, resolve);
    if (spec.kind !== 'unique') return testQuery(spec, slice, resolve);
    if (mergedOnKey && model.uniqueKey.every((column) => spec.columns.includes(column))) return testQuery(spec, slice, resolve);
    return testQuery(spec, relation, resolve, slice);
  };
  const generic = model.tests.map((spec) => ({ node: model.name, test: spec.name, severity: spec.severity, query: query(spec) }));
  const singular = project.singularTests
    .filter((test) => test.model === model.name)
    .map((test) => singularTest(test, project, model.name, inline(relation)));
  return [...generic, ...singular];
}

/** A singular test's failing rows counted; `auditing` swaps one model's relation for its audit relation. */
export function singularTest(test: SingularTest, project: Project, auditing?: string, auditRelation?: string): CompiledTest {
  const rendered = renderSql(test, {
    ref: (name) => (name === auditing && auditRelation ? auditRelation : refTarget(project, name)),
    self: auditing ? quotedRelation(project.models.get(auditing)!.layer, auditing) : '',
  });
  return {
    node: auditing ?? test.name,
    test: test.name,
    severity: test.severity,
    query: sql`select count(*) as failures from (${sql.__dangerous__rawValue(rendered.text)}\n)`,
  };
}

/** Runs tests one after another on the node's connection; a failing query is an `error` outcome. */
export async function runTests(connection: Connection, runId: string, tests: CompiledTest[], onOutcome: (outcome: TestOutcome) => Promise<void>): Promise<TestOutcome[]> {
  const outcomes: TestOutcome[] = [];
  for (const test of tests) {
    const started = Date.now();
    let outcome: TestOutcome;
    try {
      const row = await connection.one<{ failures: number }>(test.query);
      const failures = Number(row?.failures ?? 0);
      const status = failures === 0 ? 'pass' : test.severity === 'warn' ? 'warn' : 'fail';
      outcome = { runId, node: test.node, test: test.test, severity: test.severity, status, failures, durationMs: Date.now() - started };
    } catch (error) {
      outcome = { runId, node: test.node, test: test.test, severity: test.severity, status: 'error', durationMs: Date.now() - started, error: causeMessage(error) };
    }
    outcomes.push(outcome);
    await onOutcome(outcome);
  }
  return outcomes;
}

/** The outcomes that block a publish: failed error-severity tests and tests that could not run. */
export function blocking(outcomes: TestOutcome[]): TestOutcome[] {
  return outcomes.filter((outcome) => outcome.status === 'fail' || (outcome.status === 'error' && outcome.severity === 'error'));
}

export function describeOutcome(outcome: TestOutcome): string {
  return outcome.status === 'error' ? `${outcome.test} could not run: ${outcome.error}` : `${outcome.test} found ${outcome.failures} failing row${outcome.failures === 1 ? '' : 's'}`;
}
