import path from 'node:path';
import { literal, type Database } from '../../db/database.ts';

/** Precision and recall of one measure at one location, as counts. */
export interface LocationScore {
  location_id: string;
  /** Lines the truth has settled (scored), and those it has not (left out). */
  settled: number;
  unsettled: number;
  /** Lines the truth says belong to the measure. */
  truth: number;
  /** Lines the mart flags. */
  flagged: number;
  /** Lines both say. */
  agreed: number;
}

/**
 * The truth side of the order-line measures, read by DuckDB straight from the simulator's output
 * (fixtures/README.md), never from our models:
 *
 * - every line's history from the OMS files the simulator wrote (`inbox/oms/orders_<ts>.csv`, one
 *   capture an hour, the latest wins): its location, whether it was taken as a backorder (its first
 *   status) and its final status;
 * - `truth/cancellations.csv`: the true cause of every cancellation (`confirmed` or `inferred` is a
 *   stock error, `none` is not).
 *
 * A **true oversell** is a line the business sold (not taken knowingly as a backorder) and then could
 * not fulfil for want of stock: the simulator cancelled it with a true stock cause, either because
 * the location's true ATS did not cover it when it was placed (a channel showed stock the truth did
 * not have) or because the pick found the shelf short. A line fulfilled is never one. A **true
 * stock-error cancellation** is any line the truth cancelled with a stock cause, backorders that
 * waited too long included.
 *
 * Only lines the truth has settled are scored: fulfilled, or cancelled before the last OMS capture
 * (a later cancellation is not in the landed data yet). A line still open when the run ends is left
 * out (`unsettled` counts them): the simulator cancels an oversold line 15 minutes to 3 hours after
 * it is placed, so at the end the truth has not said yet.
 */
export async function loadOrderTruth(db: Database, outDir: string): Promise<void> {
  const oms = literal(path.join(outDir, 'inbox', 'oms', 'orders_*.csv'));
  const cancellations = literal(path.join(outDir, 'truth', 'cancellations.csv'));
  await db.run(`
    create or replace table main.truth_order_captures as
      select order_id, line_id, location_id, status,
        strptime(regexp_extract(filename, 'orders_(\\d{8}T\\d{6}Z)', 1), '%Y%m%dT%H%M%SZ')::timestamptz as captured_at
      from read_csv(${oms}, all_varchar = true, filename = true)
      -- The simulator's malformed rows (bad quantity, unknown location) are not orders.
      where try_cast(quantity as integer) > 0 and location_id <> 'WH-NOWHERE' and sku <> '';
    create or replace table main.truth_order_lines as
    select order_id, line_id, arg_max(location_id, captured_at) as location_id, arg_min(status, captured_at) as first_status,
      arg_max(status, captured_at) as status
    from main.truth_order_captures group by all;
    create or replace table main.truth_order_outcomes as
    select l.*, c.true_stock_cause,
      c.order_id is not null and c.cancelled_at <= (select max(captured_at) from main.truth_order_captures) or (c.order_id is null and l.status = 'fulfilled') as is_settled,
      coalesce(c.true_stock_cause in ('confirmed', 'inferred'), false) as is_stock_cancellation,
      coalesce(c.true_stock_cause in ('confirmed', 'inferred') and l.first_status <> 'backordered', false) as is_oversell
    from main.truth_order_lines l
    left join read_csv(${cancellations}, types = {'order_id': 'varchar', 'line_id': 'varchar', 'cancelled_at': 'timestamptz'}) c using (order_id, line_id);`);
}

/** Oversold lines per location: the truth's (above) against `fct_order_line.is_oversell`. */
export async function scoreOversells(db: Database): Promise<LocationScore[]> {
  return scoreLines(db, 't.is_oversell', 'm.is_oversell');
}

/** Stock-error cancellations per location: the truth's against `stock_cause <> 'none'`. */
export async function scoreStockCancellations(db: Database): Promise<LocationScore[]> {
  return scoreLines(db, 't.is_stock_cancellation', "m.stock_cause <> 'none'");
}

async function scoreLines(db: Database, truth: string, model: string): Promise<LocationScore[]> {
  return db.rows<LocationScore & Record<string, string | number>>(`
    select t.location_id,
      count(*) filter (where t.is_settled)::int as settled,
      count(*) filter (where not t.is_settled)::int as unsettled,
      count(*) filter (where t.is_settled and ${truth})::int as truth,
      count(*) filter (where t.is_settled and ${model})::int as flagged,
      count(*) filter (where t.is_settled and ${truth} and ${model})::int as agreed
    from main.truth_order_outcomes t
    left join marts.fct_order_line m using (order_id, line_id)
    group by all order by all`);
}

/** `agreed/flagged` and `agreed/truth`; 1 when there is nothing to find or nothing flagged (no miss, no false alarm). */
export function precisionRecall(score: LocationScore): { precision: number; recall: number } {
  return { precision: score.flagged === 0 ? 1 : score.agreed / score.flagged, recall: score.truth === 0 ? 1 : score.agreed / score.truth };
}

/** One line per location: `oversell lines  WH-EAST  precision 1.000 (46/46)  recall 1.000 (46/46)  of 5210 settled lines (…)`. */
export function formatScores(measure: string, scores: LocationScore[]): string {
  return scores
    .map((score) => {
      const { precision, recall } = precisionRecall(score);
      return `  ${measure.padEnd(26)} ${score.location_id.padEnd(12)} precision ${precision.toFixed(3)} (${score.agreed}/${score.flagged})  recall ${recall.toFixed(3)} (${score.agreed}/${score.truth})  of ${score.settled} settled lines (${score.unsettled} open at the end left out)`;
    })
    .join('\n');
}
