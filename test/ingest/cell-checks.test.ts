import { describe, expect, it } from 'vitest';
import { Database, sql } from '../../db/database.ts';
import { textOf } from '../../ingest/cell-checks.ts';

describe('the cell checks', () => {
  it("read a cell's text exactly as DuckDB's trim() would, whatever spaces pad it", async () => {
    // ASCII cells with and without spaces, the Unicode space separators trim() cuts (no-break,
    // en, ideographic), characters it keeps (tab, newline, zero-width space) and non-ASCII text.
    const cells = ['WH-1', ' WH-1', 'WH-1 ', '  12.5  ', '', ' ', '\u00a012', '12\u00a0', '\u3000東京\u3000', '\u2002x\u2002', '\t7', '7\n', '\u200b7', 'Zürich', ' Zürich ', 'é', null];
    const db = await Database.open(':memory:');
    try {
      const rows = await db.withConnection(async (connection) => {
        await connection.run('create temp table i (cell varchar, position integer)');
        for (const [position, cell] of cells.entries()) await connection.run(sql`insert into i values (${cell}, ${position})`);
        return connection.rows<{ ours: string | null; trimmed: string | null }>(
          sql`select ${textOf({ name: 'cell', type: 'varchar' })} as ours, nullif(trim(cell), '') as trimmed from i order by position`,
        );
      });
      expect(rows.map((row) => row.ours)).toEqual(rows.map((row) => row.trimmed));
      // The cases that matter, spelled out: padding goes, other characters stay.
      expect(rows.map((row) => row.ours).slice(0, 11)).toEqual(['WH-1', 'WH-1', 'WH-1', '12.5', null, null, '12', '12', '東京', 'x', '\t7']);
    } finally {
      db.closeSync();
    }
  });
});
