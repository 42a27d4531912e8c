import path from 'node:path';
import type { ScannedSource, SetAside } from './scan-exports.ts';

/** What `stocklens init` decided, from the scan, the flags and the answers. */
export interface InitPlan {
  configDir: string;
  sources: ScannedSource[];
  /** The source whose counts are right at the stores and warehouses. */
  truth: string;
  locations: { id: string; name: string; kind: 'warehouse' | 'marketplace_fc'; truth_source: string; from: string }[];
  /** Per source: vendor location name → location id (Shopify's Location column). */
  locationMaps: Map<string, Record<string, string>>;
  channels: { source: string; kind: 'web' | 'marketplace'; locations: string[] }[];
  timezone: string;
  /** ERP exports found, whose ERP a database source reads instead: written as commented blocks to fill in. */
  erpExports: SetAside[];
}

/** A YAML scalar: bare when plain, else JSON-quoted (JSON strings are YAML). */
const scalar = (value: string) => (/^[A-Za-z0-9][A-Za-z0-9_./-]*$/.test(value) && !/^(true|false|null|yes|no|on|off)$/i.test(value) ? value : JSON.stringify(value));

/** The commented stocklens.config.yaml of a plan: every line says where it came from or what to change. */
export function initConfigText(plan: InitPlan): string {
  const relative = (folder: string) => {
    const rel = path.relative(plan.configDir, folder) || '.';
    return scalar(rel.startsWith('.') ? rel : `./${rel}`);
  };
  const lines = [
    '# Stocklens config written by `stocklens init`: check it, then',
    '#   stocklens ingest && stocklens build && stocklens serve',
    '# `stocklens doctor` checks it again after you edit it. Relative paths are from this file\'s folder.',
    'data_dir: ./data',
    `timezone: ${scalar(plan.timezone)}   # the zone the dashboard shows times in and the weeks start in`,
    '',
    'sources:',
  ];
  for (const source of plan.sources) {
    lines.push(`  # ${source.kind}: ${source.files.length} file${source.files.length === 1 ? '' : 's'}, ${source.skus} SKUs${source.locations.length ? ` at ${source.locations.join(', ')}` : ''}`);
    const map = plan.locationMaps.get(source.name);
    const mapText = map && Object.keys(map).length > 0 ? `, location_map: { ${Object.entries(map).map(([name, id]) => `${scalar(name)}: ${scalar(id)}`).join(', ')} }` : '';
    lines.push(`  - { name: ${scalar(source.name)}, system: ${source.system}, connector: ${source.connector}, path: ${relative(source.folder)}, schedule: "*/15 * * * *", max_staleness: 2h${mapText} }`);
  }
  lines.push(...erpSourceBlocks(plan.erpExports, plan.sources.map((source) => source.name), plan.configDir, plan.locations.map((location) => location.id)));
  lines.push('', '# Each location with the source whose counts are the truth there; every other system is compared with it.', 'locations:');
  for (const location of plan.locations) {
    lines.push(`  - { id: ${scalar(location.id)}, name: ${scalar(location.name)}, kind: ${location.kind}, truth_source: ${scalar(location.truth_source)} }   # ${location.from}`);
  }
  if (plan.channels.length > 0) {
    lines.push(
      '',
      "# A storefront's or marketplace's available figure is compared with its channel's share of the truth's",
      '# stock at the locations it sells from; a storefront without a channel is never compared.',
      'channels:',
    );
    for (const channel of plan.channels) {
      lines.push(`  - { name: ${scalar(channel.source)}, kind: ${channel.kind}, source: ${scalar(channel.source)}, locations: [${channel.locations.map(scalar).join(', ')}] }`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Per connector: what its block says about the connection, with the defaults of a stock install. */
const databaseDefaults = {
  erpnext: { vendor: 'ERPNext', port: 3306, database: 'the site\'s db_name in sites/<site>/site_config.json', password: 'ERPNEXT_DB_PASSWORD', mapNote: 'each warehouse (or group warehouse) to a location id' },
  odoo: { vendor: 'Odoo', port: 5432, database: 'the Odoo database name', password: 'ODOO_DB_PASSWORD', mapNote: 'each location (a complete_name prefix such as WH/Stock) to a location id' },
} as const;

/**
 * The commented source blocks of the ERPs whose exports were found, each named apart from `taken`:
 * the connection to fill in, and the export's warehouses mapped onto the `known` location ids.
 */
export function erpSourceBlocks(erpExports: readonly SetAside[], taken: readonly string[], configDir: string, known: readonly string[]): string[] {
  const names = [...taken];
  return erpExports.flatMap((erp) => {
    const connector = erp.database!.connector;
    let name: string = connector;
    for (let n = 2; names.includes(name); n++) name = `${connector}-${n}`;
    names.push(name);
    return databaseSourceBlock(erp, name, configDir, known);
  });
}

function databaseSourceBlock(erp: SetAside, name: string, configDir: string, known: readonly string[]): string[] {
  const { connector, locations } = erp.database!;
  const defaults = databaseDefaults[connector];
  const mapped = locations.map((name) => `${scalar(name)}: ${known.includes(name) ? scalar(name) : 'FILL-IN'}`);
  return [
    '',
    `  # ${erp.kind} ${path.relative(configDir, erp.file)}: Stocklens reads ${defaults.vendor} from its database, not`,
    '  # from exports. Replace each FILL-IN (the database name; in location_map the location id, one of',
    '  # the ids under locations:, of each warehouse the export names), then uncomment these lines; a',
    '  # read-only database user is enough. The README lists what each field becomes.',
    `  # - name: ${name}`,
    '  #   system: erp',
    `  #   connector: ${connector}`,
    `  #   database: { host: 127.0.0.1, port: ${defaults.port}, user: stocklens, password: "\${${defaults.password}}", database: FILL-IN }   # database: ${defaults.database}; the password from the environment`,
    ...(connector === 'erpnext' ? ['  #   timezone: UTC   # the site\'s time zone: Frappe writes `modified` in it'] : []),
    `  #   location_map: { ${mapped.join(', ')} }   # ${defaults.mapNote}: the ${locations.length} the export names`,
    '  #   schedule: "*/15 * * * *"',
    '  #   max_staleness: 2h',
  ];
}
