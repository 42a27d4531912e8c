import { sql, type Database } from '../../db/database.ts';

/** Rows of a table, and how many of them stand after a row of a greater SKU (in storage order). */
export async function skuOrder(db: Database, table: string): Promise<{ rows: number; outOfOrder: number }> {
  const [schema, name] = table.split('.');
  const counted = await db.one<{ rows: number; out_of_order: number }>(sql`
    select count(*) as rows, count(*) filter (where sku < previous) as out_of_order
    from (select sku, lag(sku) over (order by rowid) as previous from ${sql.ident(schema, name)})`);
  return { rows: Number(counted!.rows), outOfOrder: Number(counted!.out_of_order) };
}
