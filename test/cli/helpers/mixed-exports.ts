import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A merchant's folder of exports as they come out of each system, one folder per system:
 * - wms/: our csv-drop (README "Point it at your own files"), two warehouses;
 * - shopify/: Shopify's inventory export as Products → Inventory → Export writes it (Handle, Title,
 *   Option1 Value, SKU, Location, Incoming, Unavailable, Committed, Available, On hand; Location is
 *   the location's name), with a deliberately wrong Available at East DC;
 * - amazon/: Amazon's FBA "Manage inventory" report (GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA, tab-separated);
 * - old-shopify/: Shopify's older export, one quantity column per location name (not readable);
 * - erp/: an ERPNext Bin extract (tabBin's item_code, warehouse, actual_qty, reserved_qty, projected_qty).
 */
export function writeMixedExports(root: string): void {
  const write = (folder: string, name: string, content: string) => {
    mkdirSync(path.join(root, folder), { recursive: true });
    writeFileSync(path.join(root, folder, name), content);
    // Downloaded an hour ago: complete, past any source's quiet_period.
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(path.join(root, folder, name), anHourAgo, anHourAgo);
  };
  write('wms', 'stock_20260105T150000Z.csv', 'location_id,sku,on_hand,committed,damaged\nWH-EAST,MUG-1,40,2,1\nWH-EAST,TEE-S,12,0,0\nWH-WEST,MUG-1,25,0,0\nWH-WEST,TEE-S,8,1,0\n');
  write('wms', 'stock_20260105T160000Z.csv', 'location_id,sku,on_hand,committed,damaged\nWH-EAST,MUG-1,38,2,1\nWH-EAST,TEE-S,12,0,0\nWH-WEST,MUG-1,25,0,0\nWH-WEST,TEE-S,8,1,0\n');
  const shopify = 'Handle,Title,Option1 Value,SKU,Location,Incoming,Unavailable,Committed,Available,On hand\n';
  write('shopify', 'inventory_export_20260105T150000Z.csv', `${shopify}mug,Mug,Default Title,MUG-1,East DC,0,1,2,45,48\ntee,Tee,S,TEE-S,East DC,0,0,0,12,12\nmug,Mug,Default Title,MUG-1,West DC,0,0,0,25,25\ntee,Tee,S,TEE-S,West DC,0,0,1,7,8\n`);
  write('shopify', 'inventory_export_20260105T160000Z.csv', `${shopify}mug,Mug,Default Title,MUG-1,East DC,0,1,2,45,48\ntee,Tee,S,TEE-S,East DC,0,0,0,12,12\nmug,Mug,Default Title,MUG-1,West DC,0,0,0,25,25\ntee,Tee,S,TEE-S,West DC,0,0,1,7,8\n`);
  const fba = ['sku', 'fnsku', 'asin', 'product-name', 'condition', 'your-price', 'mfn-listing-exists', 'mfn-fulfillable-quantity', 'afn-listing-exists', 'afn-warehouse-quantity', 'afn-fulfillable-quantity', 'afn-unsellable-quantity', 'afn-reserved-quantity', 'afn-total-quantity'];
  write('amazon', 'fba_inventory_20260105T150000Z.tsv', `${fba.join('\t')}\nMUG-1\tX001\tB0001\tMug\tNew\t12.00\tNo\t\tYes\t10\t9\t1\t0\t10\n`);
  write('old-shopify', 'inventory.csv', 'Handle,Title,Option1 Name,Option1 Value,SKU,East DC,West DC\nmug,Mug,Title,Default Title,MUG-1,48,25\n');
  write('erp', 'bin.csv', 'item_code,warehouse,actual_qty,reserved_qty,projected_qty\nMUG-1,East DC - SL,40,2,38\n');
}
