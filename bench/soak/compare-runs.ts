import type { Database } from '../../db/database.ts';

/**
 * Whether two databases built from the same files hold the same data: the ledger (each batch by
 * its deterministic id, with its file's name, counts and status), the row count of every raw
 * table, and every mart's rows (a digest of all its rows in a fixed order, without the time the
 * build wrote them). The lines say what was compared and what differs.
 */
export async function compareDatabases(soak: Database, clean: Database): Promise<{ equal: boolean; lines: string[] }> {
  const lines: string[] = [];
  let equal = true;

  const ledgerSql = `select batch_id, source, entity, mode, regexp_extract(file, '[^/]*$') as file, captured_at, content_sha256, rows, rejected, status
    from ingest.batches order by batch_id`;
  const [soakLedger, cleanLedger] = await Promise.all([soak.rows(ledgerSql), clean.rows(ledgerSql)]);
  const key = (row: object) => JSON.stringify(row);
  const cleanSet = new Set(cleanLedger.map(key));
  const soakSet = new Set(soakLedger.map(key));
  const onlySoak = soakLedger.filter((row) => !cleanSet.has(key(row)));
  const onlyClean = cleanLedger.filter((row) => !soakSet.has(key(row)));
  const ledgerEqual = onlySoak.length === 0 && onlyClean.length === 0;
  equal &&= ledgerEqual;
  lines.push(`ledger: ${soakLedger.length} batches in the soak, ${cleanLedger.length} in the clean run: ${ledgerEqual ? 'equal' : `DIFFERENT (${onlySoak.length} only in the soak, ${onlyClean.length} only in the clean run; first: ${key(onlySoak[0] ?? onlyClean[0])})`}`);
  const statuses = (rows: object[]) => {
    const counts: Record<string, number> = {};
    for (const { status } of rows as { status: string }[]) counts[status] = (counts[status] ?? 0) + 1;
    return JSON.stringify(counts);
  };
  lines.push(`ledger statuses: soak ${statuses(soakLedger)}, clean ${statuses(cleanLedger)}`);

  const tablesOf = (db: Database, schema: string) =>
    db.rows<{ name: string }>(`select table_name as name from information_schema.tables where table_schema = '${schema}' and table_type = 'BASE TABLE' order by 1`).then((rows) => rows.map((row) => row.name));
  for (const schema of ['raw', 'marts']) {
    const [soakTables, cleanTables] = await Promise.all([tablesOf(soak, schema), tablesOf(clean, schema)]);
    if (soakTables.join() !== cleanTables.join()) {
      equal = false;
      lines.push(`${schema}: different tables (soak ${soakTables.join(', ')}; clean ${cleanTables.join(', ')})`);
    }
    const differing: string[] = [];
    let rows = 0;
    for (const table of cleanTables.filter((name) => soakTables.includes(name))) {
      // When a build wrote a row is not data: the two runs built at different times.
      const stamps = await clean.rows<{ name: string }>(
        `select column_name as name from information_schema.columns where table_schema = '${schema}' and table_name = '${table}' and column_name in ('refreshed_at', 'built_at')`,
      );
      const rowsOf = stamps.length > 0 ? `(select * exclude (${stamps.map((column) => column.name).join(', ')}) from ${schema}."${table}")` : `${schema}."${table}"`;
      const digest = `select count(*)::bigint as n, ${schema === 'marts' ? `md5(coalesce(string_agg(r::varchar, '|' order by r::varchar), ''))` : `''`} as digest from (select t as r from ${rowsOf} t)`;
      const [a, b] = await Promise.all([soak.one<{ n: number; digest: string }>(digest), clean.one<{ n: number; digest: string }>(digest)]);
      rows += Number(b?.n ?? 0);
      if (a?.n !== b?.n || a?.digest !== b?.digest) differing.push(`${table} (soak ${a?.n} rows, clean ${b?.n})`);
    }
    equal &&= differing.length === 0;
    lines.push(`${schema}: ${cleanTables.length} tables, ${rows} rows in the clean run: ${differing.length === 0 ? (schema === 'marts' ? 'every row equal' : 'counts equal') : `DIFFERENT: ${differing.join(', ')}`}`);
  }
  return { equal, lines };
}
