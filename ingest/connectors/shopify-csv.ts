import path from 'node:path';
import type { SourceConfig } from '../../core/config-schema.ts';
import type { Config } from '../../core/load-config.ts';
import { logger } from '../../core/logger.ts';
import { sql, type SQLQuery } from '../../db/database.ts';
import { parseStamp } from '../batch-file-name.ts';
import { stageVendorFile, locationCase, type VendorMapping } from '../files/stage-vendor-file.ts';
import type { GroupRead } from '../land-batch.ts';
import type { Connector, PendingBatch } from './connector.ts';
import { inspectOrRefuse, listFolder } from './csv-drop.ts';
import { channelOf, vendorLocationNames } from './vendor-locations.ts';

const fileName = /^inventory_export_(\d{8}T\d{6}Z)(?:_(full|delta))?\.csv(\.gz)?$/;

/**
 * Shopify's inventory CSV export (Products → Inventory → Export): one row per variant and location,
 * `Handle, Title, Option1 Value, SKU, Location, Incoming, Unavailable, Committed, Available, On hand`.
 * Quantities are salable-semantics: Shopify's Available is On hand minus Committed and Unavailable.
 *
 * Unavailable maps to `damaged`: Shopify's unavailable is damaged + quality control + safety stock +
 * other, and the export does not split it. Putting it all in one state keeps ATS right (each state
 * subtracts alike); the split between those states is lost, which `raw` keeps visible.
 */
export function shopifyCsvConnector(source: SourceConfig, config: Config): Connector {
  const locations = vendorLocationNames(source, config);
  const channel = channelOf(source, config) ?? null;
  const quantity = (present: ReadonlySet<string>, column: string): SQLQuery[] => (present.has(column) ? [sql.ident('v', column)] : []);
  const mapping: VendorMapping = {
    required: ['SKU', 'Location', 'On hand'],
    columns: (present) => {
      const mapped: Record<string, SQLQuery> = {
        location_id: locationCase(sql`trim(v."Location")`, locations),
        sku: sql`v."SKU"`,
        on_hand: sql`v."On hand"`,
        quantity_semantics: sql`'salable'`,
        channel: sql`${channel}::varchar`,
      };
      const optional = { committed: 'Committed', damaged: 'Unavailable', incoming: 'Incoming', available_reported: 'Available' };
      for (const [canonical, vendor] of Object.entries(optional)) for (const value of quantity(present, vendor)) mapped[canonical] = value;
      return mapped;
    },
    // A variant not stocked at a location has no reading there, not a zero.
    skip: () => sql`lower(trim(v."On hand")) = 'not stocked'`,
  };
  return {
    async listBatches() {
      const batches: PendingBatch[] = [];
      for (const name of await listFolder(source)) {
        const match = fileName.exec(name);
        const capturedAt = match && parseStamp(match[1]);
        if (!match || !capturedAt) {
          logger.warn({ source: source.name, file: name }, 'not a Shopify export name inventory_export_<YYYYMMDDTHHMMSSZ>[_full|_delta].csv; ignored');
          continue;
        }
        const file = path.join(source.path!, name);
        const gzip = match[3] !== undefined;
        const inspection = await inspectOrRefuse(file, gzip);
        // Exports with the same header and compression are read together; a refused file alone.
        const reader: GroupRead | undefined = inspection.refusal
          ? undefined
          : {
              key: JSON.stringify([gzip, inspection.firstLine]),
              stage: (files) => (connection) => stageVendorFile(connection, files, inspection, { delimiter: ',', quote: '"', gzip }, mapping),
            };
        const read = inspection.unbalancedQuotes ? undefined : reader;
        batches.push({
          source: source.name,
          entity: 'stock',
          file,
          mode: (match[2] as 'full' | 'delta' | undefined) ?? 'full',
          capturedAt,
          contentSha256: inspection.sha256,
          stage: reader ? reader.stage([file]) : async () => {
            throw inspection.refusal!;
          },
          read,
        });
      }
      return batches.sort((a, b) => a.capturedAt.getTime() - b.capturedAt.getTime());
    },
  };
}
