/** Small vendor exports shared by the vendor and idempotency tests. */
export const vendorConfig = `sources:
  - { name: shopify, system: ecommerce, connector: shopify-csv, quiet_period: 0s, path: ./inbox/shopify, location_map: { "Main Street Shop": WH-WEST } }
  - { name: amazon-fba, system: marketplace, connector: amazon-fba-report, quiet_period: 0s, path: ./inbox/amazon-fba }
locations:
  - { id: WH-EAST, name: East DC }
  - { id: WH-WEST, name: West DC }
  - { id: FBA-US, name: FBA US, kind: marketplace_fc, truth_source: amazon-fba }
channels:
  - { name: web, kind: web, source: shopify, locations: [WH-EAST, WH-WEST] }
`;

export const shopifyExport = `Handle,Title,Option1 Value,SKU,Location,Incoming,Unavailable,Committed,Available,On hand
tee,"Tee, organic",S,TEE-S,East DC,5,2,3,10,15
tee,"Tee, organic",M,TEE-M,Main Street Shop,0,0,1,-1,0
tee,"Tee, organic",L,TEE-L,East DC,not stocked,not stocked,not stocked,not stocked,not stocked
mug,Mug,,MUG,Moon Base,0,0,0,4,4
`;

const fbaHeader = 'sku\tfnsku\tasin\tproduct-name\tcondition\tyour-price\tmfn-listing-exists\tmfn-fulfillable-quantity\tafn-listing-exists\tafn-warehouse-quantity\tafn-fulfillable-quantity\tafn-unsellable-quantity\tafn-reserved-quantity\tafn-total-quantity\tper-unit-volume\tafn-inbound-working-quantity\tafn-inbound-shipped-quantity\tafn-inbound-receiving-quantity\tafn-researching-quantity\tafn-reserved-future-supply\tafn-future-supply-buyable';
export const fbaReport = `${fbaHeader}\nTEE-S\tX001\tB001\t"Tee" 12" long\tNew\t19.99\tNo\t0\tYes\t20\t15\t3\t2\t25\t0.1\t1\t2\t2\t0\t0\t0\nMUG\tX002\tB002\tMug\tNew\t9.99\tNo\t0\tYes\tlots\t1\t0\t0\t1\t0.1\t0\t0\t0\t0\t0\t0\n`;
