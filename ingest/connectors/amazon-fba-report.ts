import type { SourceConfig } from '../../core/config-schema.ts';
import { IngestError } from '../../core/errors.ts';
import type { Config } from '../../core/load-config.ts';
import { sql, type SQLQuery } from '../../db/database.ts';
import { headerOf, type DelimitedFormat } from '../files/read-delimited.ts';
import { stageVendorFile, type VendorMapping } from '../files/stage-vendor-file.ts';
import { detectEncoding } from '../files/text-encoding.ts';
import type { GroupRead, PendingBatch } from '../batch-contract.ts';
import type { Connector } from './connector.ts';
import { vendorFiles } from './vendor-file-names.ts';
import { fileLimits, inspectDropFile } from '../files/drop-folder.ts';
import type { LongLine } from '../files/inspect-file.ts';
import { channelOf } from './vendor-locations.ts';

const fileName = /^fba_inventory_(\d{8}T\d{6}Z)\.tsv$/;
const inbound = ['afn-inbound-working-quantity', 'afn-inbound-shipped-quantity', 'afn-inbound-receiving-quantity'];

interface Report {
  type: string;
  /** Whether a header is this report's. */
  matches: (present: ReadonlySet<string>) => boolean;
  columns: string;
  mapping: (location: string, channel: string) => VendorMapping;
}

/**
 * The FBA inventory reports Stocklens reads (tab-separated, no quoting), told apart by header.
 * Shape: Amazon SP-API "Report Type Values" (developer-docs.amazon.com/sp-api/docs/report-type-values-fba),
 * FBA Inventory Reports section, and Seller Central's column definitions for each report.
 * Blank cells, per column: a blank quantity of a state (unsellable, reserved, inbound) is 0 of it;
 * a blank afn-fulfillable-quantity is no sellable figure from Amazon (ATS is then derived from the
 * states); a blank afn-warehouse-quantity or Quantity Available leaves the row without its reading,
 * so it is quarantined, except on a SKU without an FBA listing (afn-listing-exists No), which is
 * not stock at the FBA centre and is left out.
 */
export const amazonReports: Report[] = [
  {
    // "Manage FBA Inventory" (also GET_FBA_MYI_ALL_INVENTORY_DATA, same columns): one row per SKU,
    // afn-warehouse-quantity = afn-fulfillable + afn-unsellable + afn-reserved.
    type: 'GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA',
    matches: (present) => present.has('sku') && [...present].some((column) => column.startsWith('afn-')),
    columns: 'sku, fnsku, asin, product-name, condition, …, afn-warehouse-quantity, afn-fulfillable-quantity, afn-unsellable-quantity, afn-reserved-quantity, …, afn-inbound-*-quantity',
    mapping: (location, channel) => ({
      required: ['sku', 'afn-warehouse-quantity'],
      columns: (present) => {
        const mapped: Record<string, SQLQuery> = {
          location_id: sql`${location}::varchar`,
          sku: sql`v."sku"`,
          on_hand: sql`v."afn-warehouse-quantity"`,
          quantity_semantics: sql`'physical'`,
          channel: sql`${channel}::varchar`,
        };
        if (present.has('afn-fulfillable-quantity')) mapped.available_reported = sql`v."afn-fulfillable-quantity"`;
        if (present.has('afn-unsellable-quantity')) mapped.damaged = sql`v."afn-unsellable-quantity"`;
        if (present.has('afn-reserved-quantity')) mapped.committed = sql`v."afn-reserved-quantity"`;
        const parts = inbound.filter((column) => present.has(column)).map((column) => sql.ident('v', column));
        if (parts.length > 0) mapped.incoming = inboundSum(parts);
        return mapped;
      },
      skip: (present) => (present.has('afn-listing-exists') ? sql`lower(trim(v."afn-listing-exists")) = 'no'` : undefined),
    }),
  },
  {
    // "FBA Amazon Fulfilled Inventory": one row per SKU and warehouse condition, SELLABLE units
    // (fulfillable) or UNSELLABLE ones (damaged, defective, expired); reserved units are not in it.
    type: 'GET_AFN_INVENTORY_DATA',
    matches: (present) => present.has('seller-sku') && present.has('Warehouse-Condition-code'),
    columns: 'seller-sku, fulfillment-channel-sku, asin, condition-type, Warehouse-Condition-code, Quantity Available',
    mapping: (location, channel) => {
      const condition = sql`upper(trim(v."Warehouse-Condition-code"))`;
      const quantity = sql`v."Quantity Available"`;
      return {
        required: ['seller-sku', 'Warehouse-Condition-code', 'Quantity Available'],
        columns: () => ({
          location_id: sql`${location}::varchar`,
          sku: sql`v."seller-sku"`,
          // A condition the report does not define keeps its name in the cell, so the row is quarantined with it.
          on_hand: sql`case when ${condition} in ('SELLABLE', 'UNSELLABLE') then ${quantity} else concat('Warehouse-Condition-code ', v."Warehouse-Condition-code") end`,
          available_reported: sql`case when ${condition} = 'SELLABLE' then ${quantity} else '0' end`,
          damaged: sql`case when ${condition} = 'UNSELLABLE' then ${quantity} else '0' end`,
          quantity_semantics: sql`'physical'`,
          channel: sql`${channel}::varchar`,
        }),
        sum: { by: ['location_id', 'sku'], columns: ['on_hand', 'available_reported', 'damaged'] },
      };
    },
  },
];

function reportOf(header: readonly string[]): Report {
  const present = new Set(header);
  const report = amazonReports.find((candidate) => candidate.matches(present));
  if (report) return report;
  const known = amazonReports.map((candidate) => `${candidate.type} (${candidate.columns})`).join(' or ');
  throw new IngestError(`not an Amazon inventory report this version reads: its header is "${header.join(', ')}"; known reports are ${known}`);
}

/**
 * Amazon's FBA inventory reports, one snapshot of one fulfilment network each, at physical
 * semantics: on_hand is every unit in Amazon's warehouses, of which the sellable part is
 * `available_reported`, unsellable units `damaged` and reserved ones `committed`. A report in
 * Windows-1252 (as Amazon serves some EU marketplaces) is read as such, its text intact.
 */
export function amazonFbaReportConnector(source: SourceConfig, config: Config): Connector {
  const channel = channelOf(source, config) ?? 'amazon-fba';
  return {
    async listBatches(ignore, unchanged) {
      const location = fbaLocation(source, config);
      const batches: PendingBatch[] = [];
      const limits = fileLimits(config);
      const longLines = new Map<string, readonly LongLine[]>();
      for (const found of await vendorFiles(source, config, fileName, 'fba_inventory_<YYYYMMDDTHHMMSSZ>.tsv', ignore)) {
        if (unchanged?.claim(found.file, found.stamp)) continue;
        const inspection = await inspectDropFile(found, found.gzip, limits);
        if (!inspection) continue;
        longLines.set(found.file, inspection.longLines ?? []);
        let refusal = inspection.refusal;
        let read: GroupRead | undefined;
        if (!refusal) {
          const format: DelimitedFormat = { delimiter: '\t', gzip: found.gzip, encoding: found.gzip ? 'utf-8' : await detectEncoding(found.file) };
          try {
            const report = reportOf(headerOf(inspection, format));
            // Reports with the same header and encoding are read together; a refused file alone.
            read = {
              key: JSON.stringify([report.type, format, inspection.firstLine]),
              stage: (files) => (connection) => stageVendorFile(connection, files, inspection, format, report.mapping(location, channel), (file) => longLines.get(file) ?? []),
            };
          } catch (error) {
            if (!(error instanceof IngestError)) throw error;
            refusal = error;
          }
        }
        batches.push({
          source: source.name,
          entity: 'stock',
          file: found.file,
          // A report lists every SKU of the account: a full snapshot.
          mode: 'full',
          capturedAt: found.capturedAt,
          contentSha256: inspection.sha256,
          fileStamp: inspection.stamp,
          stage: read
            ? read.stage([found.file])
            : async () => {
                throw refusal!;
              },
          read,
        });
      }
      return batches;
    },
  };
}

/** Sum of the inbound columns as text (a blank part is 0); a part that is not a number keeps the text so the landing quarantines it. */
function inboundSum(parts: SQLQuery[]): SQLQuery {
  const number = (part: SQLQuery) => sql`regexp_full_match(trim(${part}), '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)')`;
  const casts = parts.map((part) => sql`coalesce(try_cast(nullif(trim(${part}), '') as decimal(38, 4)), 0)`);
  const allNumbers = sql.join(parts.map((part) => sql`(nullif(trim(${part}), '') is null or ${number(part)})`), ' AND ');
  return sql`case when ${allNumbers} then (${sql.join(casts, sql` + `)})::varchar else concat_ws(' + ', ${sql.join(parts, ', ')}) end`;
}

/** The FBA centre: `location_map.default`, else the marketplace_fc location whose truth is this source, else the only one. */
function fbaLocation(source: SourceConfig, config: Config): string {
  const mapped = source.location_map?.default;
  if (mapped) return mapped;
  const centres = config.locations.filter((location) => location.kind === 'marketplace_fc');
  const chosen = centres.find((location) => location.truth_source === source.name) ?? (centres.length === 1 ? centres[0] : undefined);
  if (!chosen) {
    throw new IngestError(`source ${source.name}: no location for the FBA report: add a location of kind marketplace_fc (truth_source: ${source.name}) or location_map: { default: LOCATION_ID }`, { source: source.name });
  }
  return chosen.id;
}
