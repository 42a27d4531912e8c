import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';

/**
 * A csv-drop folder shaped like the simulator's WMS at a chosen size, for when the lead's `m`
 * data is not there: daily fulls of every pair, hourly deltas of changed pairs, events, orders.
 */
export async function writeSyntheticDrop(folder: string, { pairs, days }: { pairs: number; days: number }): Promise<void> {
  mkdirSync(folder, { recursive: true });
  const locations = Math.max(1, Math.round(pairs / 20_000));
  const skus = Math.ceil(pairs / locations);
  const stamp = (day: number, hour: number) => `202611${String(day + 1).padStart(2, '0')}T${String(hour).padStart(2, '0')}0000Z`;
  for (let day = 0; day < days; day++) {
    await writeLines(path.join(folder, `stock_${stamp(day, 0)}_full.csv`), 'captured_at,location_id,sku,on_hand,committed,reserved_other,damaged,quality_control,safety_stock,in_transit,incoming,available_reported,quantity_semantics', function* () {
      for (let location = 0; location < locations; location++) {
        for (let sku = 0; sku < skus; sku++) {
          const onHand = (sku * 7 + day) % 90;
          yield `2026-11-${String(day + 1).padStart(2, '0')}T00:00:00Z,WH-${location},SKU-${String(sku).padStart(5, '0')},${onHand},${sku % 4},0,${sku % 3 === 0 ? 1 : 0},0,2,0,${sku % 11},${onHand - (sku % 4) - 2},physical`;
        }
      }
    });
    for (let hour = 1; hour < 24; hour++) {
      await writeLines(path.join(folder, `stock_${stamp(day, hour)}_delta.csv`), 'captured_at,location_id,sku,on_hand,committed,reserved_other,damaged,quality_control,safety_stock,in_transit,incoming,available_reported,quantity_semantics', function* () {
        for (let index = 0; index < pairs / 40; index++) {
          const sku = (index * 37 + hour * 101) % skus;
          yield `2026-11-${String(day + 1).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z,WH-${index % locations},SKU-${String(sku).padStart(5, '0')},${(sku + hour) % 90},1,0,0,0,2,0,0,${(sku + hour) % 90 - 3},physical`;
        }
      });
      await writeLines(path.join(folder, `events_${stamp(day, hour)}.csv`), 'event_id,occurred_at,location_id,sku,delta,reason,reference', function* () {
        for (let index = 0; index < pairs / 100; index++) {
          yield `E-${day}-${hour}-${index},2026-11-${String(day + 1).padStart(2, '0')}T${String(hour - 1).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}:00Z,WH-${index % locations},SKU-${String(index % skus).padStart(5, '0')},-1,sale,ORD-${index}`;
        }
      });
      await writeLines(path.join(folder, `orders_${stamp(day, hour)}.csv`), 'order_id,line_id,channel,placed_at,sku,quantity,unit_price,currency,location_id,status,cancelled_at,cancel_reason_raw,cancel_reason,shipped_at', function* () {
        for (let index = 0; index < pairs / 100; index++) {
          yield `O-${day}-${hour}-${index},1,web,2026-11-${String(day + 1).padStart(2, '0')}T${String(hour - 1).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}:00Z,SKU-${String(index % skus).padStart(5, '0')},${1 + (index % 3)},19.99,USD,WH-${index % locations},open,,,,`;
        }
      });
    }
  }
}

export async function writeLines(file: string, header: string, lines: () => Generator<string>): Promise<void> {
  const out = createWriteStream(file);
  let buffer = `${header}\n`;
  for (const line of lines()) {
    buffer += `${line}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}
