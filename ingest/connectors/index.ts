import type { SourceConfig } from '../../core/config-schema.ts';
import { IngestError } from '../../core/errors.ts';
import type { Connector, ConnectorFactory } from './connector.ts';
import { csvDropConnector } from './csv-drop.ts';

const factories: Partial<Record<SourceConfig['connector'], ConnectorFactory>> = {
  'csv-drop': csvDropConnector,
};

export function connectorFor(source: SourceConfig): Connector {
  const factory = factories[source.connector];
  if (!factory) {
    throw new IngestError(`source ${source.name}: connector ${source.connector} is not available in this version`, { source: source.name });
  }
  return factory(source);
}
