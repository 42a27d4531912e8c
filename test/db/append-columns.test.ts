import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { duckdbLibraryVersion, stringLayoutVerifiedFor } from '../../db/column-chunks.ts';
import { Database } from '../../db/database.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();

describe('Connection.appendColumns', () => {
  it('runs on the DuckDB whose string layout the inline writer was checked against', () => {
    // After a DuckDB upgrade: check duckdb_string_t in duckdb.h (16 bytes, uint32 length, up to 12
    // inline bytes), rerun this file, then set stringLayoutVerifiedFor. Until then strings are
    // appended through DuckDB's own call, so nothing is corrupted, only slower.
    expect(duckdbLibraryVersion(), 'DuckDB was upgraded: verify the string_t layout in db/column-chunks.ts').toBe(stringLayoutVerifiedFor);
  });

  it('lands every value as written across chunks: nulls, short and long text, non-ASCII, numbers at their limits', async () => {
    const db = await Database.open(path.join(tempDir(), 'append.duckdb'));
    // Values that take each path of the writer: inlined text (0 to 12 ASCII bytes), text written by
    // DuckDB (13 bytes and more, or not ASCII), a NUL inside text, and nulls in some chunks only.
    const samples = ['', 'a', 'WH-7', 'SKU-00001234', 'SKU-000012345', '2026-11-01T05:00:00Z', 'café', 'naïve-longer-than-twelve', '日本', 'a\u0000b', ' padded '];
    const rowCount = 2048 * 2 + 77;
    const text: (string | null)[] = [];
    const integers: (number | null)[] = [];
    const doubles: (number | null)[] = [];
    const bigints: (bigint | null)[] = [];
    for (let row = 0; row < rowCount; row++) {
      // The first chunk has nulls, the second none, the last some: a reused chunk must not keep
      // an earlier chunk's nulls.
      const nullHere = row < 2048 ? row % 5 === 0 : row >= 4096 && row % 7 === 0;
      text.push(nullHere ? null : `${samples[row % samples.length]}${row % 3 === 0 ? '' : String(row % 10)}`);
      integers.push(nullHere ? null : row % 2 === 0 ? 2 ** 31 - 1 - row : -(2 ** 31) + row);
      doubles.push(nullHere ? null : row / 3);
      bigints.push(nullHere ? null : BigInt(row) * 10_000_000_000n);
    }
    await db.withConnection(async (connection) => {
      await connection.run('create table t (s varchar, i integer, d double, b bigint)');
      await connection.appendColumns({ schema: 'main', table: 't' }, [
        { type: 'varchar', values: text },
        { type: 'integer', values: integers },
        { type: 'double', values: doubles },
        { type: 'bigint', values: bigints },
      ]);
      const landed = await connection.columns('select s, i, d, b::varchar as b from t');
      expect(landed.rowCount).toBe(rowCount);
      expect(landed.columns[0]).toEqual(text);
      expect(landed.columns[1]).toEqual(integers);
      expect(landed.columns[2]).toEqual(doubles);
      expect(landed.columns[3]).toEqual(bigints.map((value) => (value === null ? null : String(value))));
      // Inlined strings compare and group like strings DuckDB wrote itself.
      const grouped = await connection.rows<{ n: number }>("select count(*) as n from t where s = 'WH-7' or s = 'WH-71'");
      expect(grouped[0].n).toBe(text.filter((value) => value === 'WH-7' || value === 'WH-71').length);
      const lengths = await connection.rows<{ ok: boolean }>("select bool_and(length(s) = length(s || '') and s = s || '') as ok from t");
      expect(lengths[0].ok).toBe(true);
    });
    db.closeSync();
  });

  it('reads columns in place from rows, writing numbers bound for text as their decimal text', async () => {
    const db = await Database.open(path.join(tempDir(), 'rows.duckdb'));
    const rows = Array.from({ length: 3000 }, (_, index) => [index % 7 === 0 ? null : `SKU-${index}`, index, index % 2 === 0 ? index / 4 : `x${index}`]);
    await db.withConnection(async (connection) => {
      await connection.run('create table t (s varchar, i integer, m varchar)');
      await connection.appendColumns({ schema: 'main', table: 't' }, [
        { type: 'varchar', values: { rows, field: 0 } },
        { type: 'integer', values: { rows, field: 1 } },
        { type: 'varchar', values: { rows, field: 2 } },
      ]);
      const landed = await connection.columns('select s, i, m from t');
      expect(landed.columns).toEqual([rows.map((row) => row[0]), rows.map((row) => row[1]), rows.map((row) => (row[2] === null ? null : String(row[2])))]);
      await expect(connection.appendColumns({ schema: 'main', table: 't' }, [{ type: 'varchar', values: { rows: [[{}]], field: 0 } }, { type: 'integer', values: [1] }, { type: 'varchar', values: ['a'] }])).rejects.toThrow(/is not text/);
    });
    db.closeSync();
  });

  it('refuses a number that is not a 32-bit integer for an integer column, and columns of different lengths', async () => {
    const db = await Database.open(path.join(tempDir(), 'refuse.duckdb'));
    await db.withConnection(async (connection) => {
      await connection.run('create table t (i integer, s varchar)');
      await expect(connection.appendColumns({ schema: 'main', table: 't' }, [{ type: 'integer', values: [1, 2.5] }, { type: 'varchar', values: ['a', 'b'] }])).rejects.toThrow(/2.5 is not a 32-bit integer/);
      await expect(connection.appendColumns({ schema: 'main', table: 't' }, [{ type: 'integer', values: [1] }, { type: 'varchar', values: ['a', 'b'] }])).rejects.toThrow(/same number of values/);
      expect((await connection.one<{ n: number }>('select count(*) as n from t'))?.n).toBe(0);
    });
    db.closeSync();
  });
});
