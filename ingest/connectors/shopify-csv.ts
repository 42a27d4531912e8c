import type { SourceConfig } from '../../core/config-schema.ts';
import { IngestError } from '../../core/errors.ts';
import type { Config } from '../../core/load-config.ts';
import { sql, type SQLQuery } from '../../db/database.ts';
import { headerOf } from '../files/read-delimited.ts';
import { stageVendorFile, locationCase, type VendorMapping } from '../files/stage-vendor-file.ts';
import type { GroupRead, PendingBatch } from '../batch-contract.ts';
import type { Connector } from './connector.ts';
import { vendorFiles } from './vendor-file-names.ts';
import { fileLimits, inspectDropFile } from '../files/drop-folder.ts';
import type { LongLine } from '../files/inspect-file.ts';
import { channelOf, vendorLocationNames } from './vendor-locations.ts';

const fileName = /^inventory_export_(\d{8}T\d{6}Z)(?:_(full|delta))?\.csv(\.gz)?$/;

/**
 * The header variants of Shopify's inventory CSV export (Products → Inventory → Export, "All
 * quantity types"), told apart by their quantity columns, each mapped onto canonical columns.
 * Shape: help.shopify.com/en/manual/products/inventory/getting-started-with-inventory/inventory-csv.
 * Today's export (19 columns) names the columns an import ignores "(not editable)" and adds Bin
 * name and the editable On hand (new), which Stocklens leaves in `raw`: On hand (current) is the
 * reading. The older export (17 columns, and the 10 of its identifying columns the simulator
 * writes) has plain names.
 */
export const shopifyExportVariants = [
  {
    name: 'current',
    identifying: ['SKU', 'Location', 'Bin name'],
    quantities: { incoming: 'Incoming (not editable)', damaged: 'Unavailable (not editable)', committed: 'Committed (not editable)', available_reported: 'Available (not editable)', on_hand: 'On hand (current)' },
    tail: 'Location, Bin name, Incoming (not editable), Unavailable (not editable), Committed (not editable), Available (not editable), On hand (current), On hand (new)',
  },
  {
    name: 'older',
    identifying: ['SKU', 'Location'],
    quantities: { incoming: 'Incoming', damaged: 'Unavailable', committed: 'Committed', available_reported: 'Available', on_hand: 'On hand' },
    tail: 'Location, Incoming, Unavailable, Committed, Available, On hand',
  },
] as const;

type Variant = (typeof shopifyExportVariants)[number];

/** The variant whose columns a header holds; refused with the header found and the ones known. */
export function exportVariant(header: readonly string[]): Variant {
  const present = new Set(header);
  const variant = shopifyExportVariants.find((candidate) => [...candidate.identifying, ...Object.values(candidate.quantities)].every((column) => present.has(column)));
  if (variant) return variant;
  const known = shopifyExportVariants.map((candidate) => `"SKU, …, ${candidate.tail}" (${candidate.name})`).join(' or ');
  throw new IngestError(`not a Shopify inventory export this version reads: its header is "${header.join(', ')}"; known headers are ${known}. Export again from Products > Inventory > Export with "All quantity types"`);
}

/**
 * Shopify's inventory CSV export: one row per variant and location, salable semantics (Shopify's
 * Available is On hand minus Committed and Unavailable).
 *
 * Unavailable maps to `damaged`: Shopify's unavailable is damaged + quality control + safety stock +
 * reserved, and the export does not split it. Putting it all in one state keeps ATS right (each
 * state subtracts alike); the split between those states is lost, which `raw` keeps visible.
 */
export function shopifyCsvConnector(source: SourceConfig, config: Config): Connector {
  const locations = vendorLocationNames(source, config);
  const channel = channelOf(source, config) ?? null;
  const mappingOf = (variant: Variant): VendorMapping => ({
    required: [...variant.identifying, ...Object.values(variant.quantities)],
    columns: () => {
      const mapped: Record<string, SQLQuery> = {
        location_id: locationCase(sql`trim(v."Location")`, locations),
        sku: sql`v."SKU"`,
        quantity_semantics: sql`'salable'`,
        channel: sql`${channel}::varchar`,
      };
      for (const [canonical, vendor] of Object.entries(variant.quantities)) mapped[canonical] = sql.ident('v', vendor);
      return mapped;
    },
    // A variant not stocked at a location has no reading there, not a zero.
    skip: () => sql`lower(trim(${sql.ident('v', variant.quantities.on_hand)})) = 'not stocked'`,
  });
  return {
    async listBatches(ignore, unchanged) {
      const batches: PendingBatch[] = [];
      const limits = fileLimits(config);
      const longLines = new Map<string, readonly LongLine[]>();
      for (const found of await vendorFiles(source, config, fileName, 'inventory_export_<YYYYMMDDTHHMMSSZ>[_full|_delta].csv', ignore)) {
        const format = { delimiter: ',', quote: '"', gzip: found.gzip } as const;
        if (unchanged?.claim(found.file, found.stamp)) continue;
        const inspection = await inspectDropFile(found, found.gzip, limits);
        if (!inspection) continue;
        longLines.set(found.file, inspection.longLines ?? []);
        let refusal = inspection.refusal;
        let variant: Variant | undefined;
        try {
          if (!refusal) variant = exportVariant(headerOf(inspection, format));
        } catch (error) {
          if (!(error instanceof IngestError)) throw error;
          refusal = error;
        }
        // Exports with the same header and compression are read together; a refused file alone.
        const reader: GroupRead | undefined = variant && {
          key: JSON.stringify([found.gzip, inspection.firstLine]),
          stage: (files) => (connection) => stageVendorFile(connection, files, inspection, format, mappingOf(variant), (file) => longLines.get(file) ?? []),
        };
        batches.push({
          source: source.name,
          entity: 'stock',
          file: found.file,
          mode: found.mode,
          capturedAt: found.capturedAt,
          contentSha256: inspection.sha256,
          fileStamp: inspection.stamp,
          stage: reader
            ? reader.stage([found.file])
            : async () => {
                throw refusal!;
              },
          read: inspection.unbalancedQuotes ? undefined : reader,
        });
      }
      return batches;
    },
  };
}
