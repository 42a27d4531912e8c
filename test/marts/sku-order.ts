import { sql, type Database } from '../../db/database.ts';

/**
 * Rows of a table, and how many of them stand after a row of a greater SKU (in storage order);
 * with `region`, SKU order is checked within each value of that expression (and `regionsOutOfOrder`
 * counts rows that stand after a row of a greater region, e.g. a closed interval after an open one).
 */
export async function skuOrder(db: Database, table: string, region = 'true'): Promise<{ rows: number; outOfOrder: number; regionsOutOfOrder: number }> {
  const [schema, name] = table.split('.');
  const regionSql = sql.__dangerous__rawValue(region);
  const counted = await db.one<{ rows: number; out_of_order: number; regions_out_of_order: number }>(sql`
    select count(*) as rows, count(*) filter (where sku < previous) as out_of_order,
      count(*) filter (where region < previous_region) as regions_out_of_order
    from (
      select sku, region, lag(sku) over (partition by region order by rowid) as previous, lag(region) over (order by rowid) as previous_region
      from (select rowid, sku, ${regionSql} as region from ${sql.ident(schema, name)})
    )`);
  return { rows: Number(counted!.rows), outOfOrder: Number(counted!.out_of_order), regionsOutOfOrder: Number(counted!.regions_out_of_order) };
}
