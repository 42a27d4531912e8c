import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, Database } from '../../db/database.ts';
import { appendStaging, batchMap, batchOutcomes, batchReadRejects, createStagingTable, dropStagingTables } from '../../ingest/staging-tables.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();

describe('the staging tables', () => {
  it('name the tables and columns of their declarations, quoted', () => {
    const m = batchMap.as('m');
    expect(compile(m.from).text).toBe('"batch_map" as "m"');
    expect(compile(m.batch_id).text).toBe('"m"."batch_id"');
    expect(dropStagingTables(batchMap, batchOutcomes)).toBe('drop table if exists "batch_map"; drop table if exists "batch_outcomes"');
  });

  it('creates a table with its declared columns, types and defaults, and appends typed columns to it', async () => {
    const db = await Database.open(path.join(tempDir(), 'staging.duckdb'));
    try {
      const described = await db.withConnection(async (connection) => {
        await createStagingTable(connection, batchReadRejects);
        await connection.run(`insert into ${batchReadRejects.text} (line, reason) values (3, 'bad quote')`);
        await createStagingTable(connection, batchOutcomes);
        await appendStaging(connection, batchOutcomes, { __batch: [0, 1], rows: [5, 0], rejected: [1, 0], status: ['landed', 'held'], error: [null, 'shrank'] });
        // @ts-expect-error a column left out of an append fails the typecheck
        await expect(appendStaging(connection, batchOutcomes, { __batch: [2] })).rejects.toThrow();
        return {
          rejects: await connection.rows(`select column_name, column_type from (describe ${batchReadRejects.text})`),
          rejectRow: await connection.rows(`select __batch, line, reason from ${batchReadRejects.text}`),
          outcomes: await connection.rows(`select * from ${batchOutcomes.text} order by __batch`),
        };
      });
      expect(described.rejects.map((row) => [row.column_name, row.column_type])).toEqual([
        ['__batch', 'INTEGER'],
        ['line', 'BIGINT'],
        ['column', 'VARCHAR'],
        ['reason', 'VARCHAR'],
        ['raw_line', 'VARCHAR'],
      ]);
      expect(described.rejectRow).toEqual([{ __batch: 0, line: 3, reason: 'bad quote' }]);
      expect(described.outcomes).toEqual([
        { __batch: 0, rows: 5, rejected: 1, status: 'landed', error: null },
        { __batch: 1, rows: 0, rejected: 0, status: 'held', error: 'shrank' },
      ]);
    } finally {
      db.closeSync();
    }
  });
});
