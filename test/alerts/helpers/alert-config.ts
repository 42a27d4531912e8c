import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig, type Config } from '../../../core/load-config.ts';

/** A config for the fixture's world: two warehouses with leads, the WMS as truth, Shopify and the ERP. */
export function alertTestConfig(dir: string, smtpPort: number, alerts = ''): Config {
  const text = `
data_dir: ./data
timezone: UTC
sources:
  - { name: wms, system: wms, connector: csv-drop, quiet_period: 0s, path: ./inbox/wms }
  - { name: shopify, system: ecommerce, connector: csv-drop, quiet_period: 0s, path: ./inbox/shopify }
  - { name: erp, system: erp, connector: csv-drop, quiet_period: 0s, path: ./inbox/erp }
locations:
  - { id: WH-EAST, name: East DC, truth_source: wms, lead_email: east-lead@example.com }
  - { id: WH-WEST, name: West DC, truth_source: wms, lead_email: west-lead@example.com }
channels:
  - { name: web, kind: web, source: shopify, locations: [WH-EAST, WH-WEST] }
smtp: { host: 127.0.0.1, port: ${smtpPort}, from: stocklens@example.com }
server: { port: 3000, public_url: "https://stocklens.example.com" }
${alerts}
`;
  const file = path.join(dir, 'stocklens.config.yaml');
  writeFileSync(file, text);
  return parseConfig(text, file);
}
