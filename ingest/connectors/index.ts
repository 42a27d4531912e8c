import type { SourceConfig } from '../../core/config-schema.ts';
import { IngestError } from '../../core/errors.ts';
import type { Config } from '../../core/load-config.ts';
import { amazonFbaReportConnector } from './amazon-fba-report.ts';
import type { Connector, ConnectorFactory } from './connector.ts';
import { csvDropConnector } from './csv-drop.ts';
import { erpnextConnector } from './erpnext.ts';
import { odooConnector } from './odoo.ts';
import { shopifyApiConnector } from './shopify-api.ts';
import { shopifyCsvConnector } from './shopify-csv.ts';

/** Every connector by its config name (the `connector` key of a source). */
const factories: Partial<Record<SourceConfig['connector'], ConnectorFactory>> = {
  'csv-drop': csvDropConnector,
  'shopify-csv': shopifyCsvConnector,
  'amazon-fba-report': amazonFbaReportConnector,
  'shopify-api': shopifyApiConnector,
  erpnext: erpnextConnector,
  odoo: odooConnector,
};

export function connectorFor(source: SourceConfig, config: Config): Connector {
  const factory = factories[source.connector];
  if (!factory) {
    throw new IngestError(`source ${source.name}: connector ${source.connector} is not available in this version`, { source: source.name });
  }
  return factory(source, config);
}
