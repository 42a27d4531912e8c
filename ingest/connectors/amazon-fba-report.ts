import path from 'node:path';
import type { SourceConfig } from '../../core/config-schema.ts';
import { IngestError } from '../../core/errors.ts';
import type { Config } from '../../core/load-config.ts';
import { logger } from '../../core/logger.ts';
import { sql, type SQLQuery } from '../../db/database.ts';
import { parseStamp } from '../batch-file-name.ts';
import { stageVendorFile, type VendorMapping } from '../files/stage-vendor-file.ts';
import type { GroupRead } from '../land-batch.ts';
import type { Connector, PendingBatch } from './connector.ts';
import { inspectOrRefuse, listFolder } from './csv-drop.ts';
import { channelOf } from './vendor-locations.ts';

const fileName = /^fba_inventory_(\d{8}T\d{6}Z)\.tsv$/;
const inbound = ['afn-inbound-working-quantity', 'afn-inbound-shipped-quantity', 'afn-inbound-receiving-quantity'];

/**
 * Amazon's FBA "Manage inventory" report (TSV, no quoting), one row per SKU for one fulfilment
 * network. Physical semantics: afn-warehouse-quantity is every unit in Amazon's warehouses, of
 * which afn-fulfillable is sellable, afn-unsellable damaged and afn-reserved committed.
 */
export function amazonFbaReportConnector(source: SourceConfig, config: Config): Connector {
  const channel = channelOf(source, config) ?? 'amazon-fba';
  return {
    async listBatches() {
      const location = fbaLocation(source, config);
      const mapping: VendorMapping = {
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
      };
      const batches: PendingBatch[] = [];
      for (const name of await listFolder(source)) {
        const match = fileName.exec(name);
        const capturedAt = match && parseStamp(match[1]);
        if (!match || !capturedAt) {
          logger.warn({ source: source.name, file: name }, 'not an FBA report name fba_inventory_<YYYYMMDDTHHMMSSZ>.tsv; ignored');
          continue;
        }
        const file = path.join(source.path!, name);
        const inspection = await inspectOrRefuse(file, false);
        // Reports with the same header are read together; a refused file alone.
        const read: GroupRead | undefined = inspection.refusal
          ? undefined
          : { key: JSON.stringify(inspection.firstLine), stage: (files) => (connection) => stageVendorFile(connection, files, inspection, { delimiter: '\t' }, mapping) };
        batches.push({
          source: source.name,
          entity: 'stock',
          file,
          // The report lists every SKU of the account: a full snapshot.
          mode: 'full',
          capturedAt,
          contentSha256: inspection.sha256,
          stage: read ? read.stage([file]) : async () => {
            throw inspection.refusal!;
          },
          read,
        });
      }
      return batches.sort((a, b) => a.capturedAt.getTime() - b.capturedAt.getTime());
    },
  };
}

/** Sum of the inbound columns as text; a non-integer part keeps the text so the landing quarantines it. */
function inboundSum(parts: SQLQuery[]): SQLQuery {
  const casts = parts.map((part) => sql`coalesce(try_cast(nullif(trim(${part}), '') as integer), 0)`);
  const allIntegers = sql.join(parts.map((part) => sql`(nullif(trim(${part}), '') is null or try_cast(trim(${part}) as integer) is not null)`), ' AND ');
  return sql`case when ${allIntegers} then (${sql.join(casts, sql` + `)})::varchar else concat_ws(' + ', ${sql.join(parts, ', ')}) end`;
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
