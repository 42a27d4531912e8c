/**
 * Shopify inventory CSV exports (Products → Inventory → Export → All locations, All quantity
 * types), as the admin writes them.
 *
 * Shape: Shopify Help Center, "Exporting or importing inventory with a CSV file" and its "Inventory
 * CSV file format" section (help.shopify.com/en/manual/products/inventory/getting-started-with-inventory/inventory-csv):
 * - today's export, 19 columns, quantities an import ignores marked "(not editable)", a Bin name
 *   column, and On hand (current) beside the editable On hand (new);
 * - the export before bins (17 columns), with plain quantity names.
 * A variant never stocked at a location reads "not stocked" in every quantity column. Values are
 * made up; the identity On hand = Available + Committed + Unavailable holds as in the admin.
 */

export const currentExportHeader =
  'Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,SKU,HS Code,COO,Location,Bin name,Incoming (not editable),Unavailable (not editable),Committed (not editable),Available (not editable),On hand (current),On hand (new)';

export const currentExport = `${currentExportHeader}
organic-tee,"Tee, organic",Size,S,Color,Black,,,TEE-S-BLK,6109.10,PT,East DC,A-01-3,5,2,3,10,15,15
organic-tee,"Tee, organic",Size,M,Color,Black,,,TEE-M-BLK,6109.10,PT,East DC,,0,0,1,-1,0,4
organic-tee,"Tee, organic",Size,L,Color,Black,,,TEE-L-BLK,6109.10,PT,East DC,,not stocked,not stocked,not stocked,not stocked,not stocked,not stocked
ceramic-mug,Ceramic mug,Title,Default Title,,,,,MUG-01,6912.00,CN,West DC,B-12,12,1,0,6,7,7
`;

export const olderExportHeader = 'Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,SKU,HS Code,COO,Location,Incoming,Unavailable,Committed,Available,On hand';

export const olderExport = `${olderExportHeader}
organic-tee,"Tee, organic",Size,S,Color,Black,,,TEE-S-BLK,6109.10,PT,East DC,5,2,3,10,15
ceramic-mug,Ceramic mug,Title,Default Title,,,,,MUG-01,6912.00,CN,West DC,12,1,0,6,7
`;

/** The "Only Available quantities" export: one quantity, not enough to read stock from. */
export const availableOnlyExport = `Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,SKU,HS Code,COO,Location,Available
organic-tee,"Tee, organic",Size,S,Color,Black,,,TEE-S-BLK,6109.10,PT,East DC,10
`;
