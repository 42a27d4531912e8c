/**
 * Amazon FBA inventory reports as SP-API serves them (`getReportDocument`), tab-separated, no quoting.
 *
 * Shape: Amazon SP-API "Report Type Values: FBA reports" (developer-docs.amazon.com/sp-api/docs/report-type-values-fba),
 * section FBA Inventory Reports, and Seller Central's column help for each report:
 * - GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA ("Manage FBA Inventory"): one row per SKU, with
 *   afn-warehouse-quantity = afn-fulfillable + afn-unsellable + afn-reserved; a merchant-fulfilled
 *   listing has afn-listing-exists "No" and blank afn quantities;
 * - GET_AFN_INVENTORY_DATA ("FBA Amazon Fulfilled Inventory"): one row per SKU and
 *   Warehouse-Condition-code (SELLABLE or UNSELLABLE), with its Quantity Available.
 * Amazon serves some EU marketplaces' reports in Windows-1252 (documented in the issues of its
 * selling-partner-api-models repository); `windows1252` encodes a report that way. Values are
 * made up.
 */

export const myiHeader = [
  'sku', 'fnsku', 'asin', 'product-name', 'condition', 'your-price', 'mfn-listing-exists', 'mfn-fulfillable-quantity',
  'afn-listing-exists', 'afn-warehouse-quantity', 'afn-fulfillable-quantity', 'afn-unsellable-quantity', 'afn-reserved-quantity',
  'afn-total-quantity', 'per-unit-volume', 'afn-inbound-working-quantity', 'afn-inbound-shipped-quantity',
  'afn-inbound-receiving-quantity', 'afn-researching-quantity', 'afn-reserved-future-supply', 'afn-future-supply-buyable',
].join('\t');

const row = (cells: (string | number)[]) => cells.join('\t');

/** A German marketplace's report: titles with ä, é, – and curly quotes. */
export const myiReportDe = [
  myiHeader,
  row(['KAFFEE-500', 'X00KAF0500', 'B0KAF00500', 'Café Crème – 500 g „Röstung“', 'New', '12.99', 'No', '', 'Yes', 40, 31, 4, 5, 46, '0.12', 2, 3, 1, 0, 0, 0]),
  // A blank afn-fulfillable-quantity: Amazon gives no sellable figure; blank states are 0.
  row(['TEE-ÄRMEL', 'X00TEE0001', 'B0TEE00001', 'T-Shirt “Ärmel” – Größe M', 'New', '19.99', 'No', '', 'Yes', 7, '', '', '', 7, '0.10', '', '', '', 0, 0, 0]),
  // Merchant-fulfilled only: not stock at the FBA centre.
  row(['MFN-ONLY', '', 'B0MFN00001', 'Tasse – nur Händlerversand', 'New', '9.99', 'Yes', 12, 'No', '', '', '', '', '', '', '', '', '', '', '', '']),
  row(['LOTS-1', 'X00LOT0001', 'B0LOT00001', 'Müsli – lots of it', 'New', '4.99', 'No', '', 'Yes', 'viele', 1, 0, 0, 1, '0.10', 0, 0, 0, 0, 0, 0]),
].join('\r\n') + '\r\n';

export const afnHeader = 'seller-sku\tfulfillment-channel-sku\tasin\tcondition-type\tWarehouse-Condition-code\tQuantity Available';

export const afnReport = [
  afnHeader,
  row(['KAFFEE-500', 'X00KAF0500', 'B0KAF00500', 'NewItem', 'SELLABLE', 31]),
  row(['KAFFEE-500', 'X00KAF0500', 'B0KAF00500', 'NewItem', 'UNSELLABLE', 4]),
  row(['TEE-M', 'X00TEE0001', 'B0TEE00001', 'NewItem', 'UNSELLABLE', 2]),
  row(['MUG-1', 'X00MUG0001', 'B0MUG00001', 'NewItem', 'SELLABLE', 9]),
  // A blank quantity: the row's reading is missing, so its SKU is quarantined, not summed as 0.
  row(['BLANK-1', 'X00BLK0001', 'B0BLK00001', 'NewItem', 'SELLABLE', '']),
].join('\n') + '\n';

/** Encodes text as Windows-1252 (every character of these fixtures has a byte there). */
export function windows1252(text: string): Buffer {
  const specials: Record<string, number> = { '€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '–': 0x96, '—': 0x97 };
  return Buffer.from([...text].map((char) => specials[char] ?? (char.charCodeAt(0) <= 0xff ? char.charCodeAt(0) : 0x3f)));
}
