import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { SourceConfig } from '../../core/config-schema.ts';
import { firstLineOf, recogniseHeader, type RecognisedExport } from '../../ingest/files/recognise-export.ts';

/** One folder of exports that one source reads: what its files are, and the locations and SKUs they name. */
export interface ScannedSource {
  folder: string;
  name: string;
  connector: SourceConfig['connector'];
  system: SourceConfig['system'];
  kind: string;
  files: string[];
  /** Location ids (csv-drop) or the vendor's location names (Shopify's Location column). */
  locations: string[];
  skus: number;
}

/** A file no source will read, and what to do. */
export interface SetAside {
  file: string;
  kind: string;
  advice: string;
  /** An ERP export: the database connector to use instead, and the warehouses or locations the file names. */
  database?: { connector: 'erpnext' | 'odoo'; locations: string[] };
}

export interface ExportScan {
  sources: ScannedSource[];
  setAside: SetAside[];
}

/**
 * Looks at a folder of exports and at each folder directly inside it: a folder whose files one
 * connector reads becomes one source (a connector reads a whole folder, so two kinds of export
 * need two folders); every other file is set aside with the reason.
 */
export async function scanExports(root: string): Promise<ExportScan> {
  const scan: ExportScan = { sources: [], setAside: [] };
  const entries = await readdir(root, { withFileTypes: true });
  const folders = [root, ...entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => path.join(root, entry.name)).sort()];
  for (const folder of folders) {
    const files = (await readdir(folder, { withFileTypes: true })).filter((entry) => entry.isFile() && !entry.name.startsWith('.')).map((entry) => path.join(folder, entry.name)).sort();
    if (files.length === 0) continue;
    const recognised = await Promise.all(files.map(async (file) => ({ file, what: recogniseHeader(await firstLineOf(file)) })));
    const readable = recognised.filter(({ what }) => what.connector);
    for (const { file, what } of recognised.filter(({ what }) => !what.connector)) {
      const database = what.database && { connector: what.database.connector, locations: (await locationsAndSkus([file], what)).locations };
      scan.setAside.push({ file, kind: what.kind, advice: what.advice ?? '', ...(database && { database }) });
    }
    const connectors = [...new Set(readable.map(({ what }) => what.connector!))];
    if (connectors.length > 1) {
      for (const { file, what } of readable) {
        scan.setAside.push({ file, kind: what.kind, advice: `${path.basename(folder)} mixes ${connectors.join(' and ')} files: a source reads a whole folder, so move each kind into a folder of its own and run init again` });
      }
      continue;
    }
    if (readable.length === 0) continue;
    const first = readable[0].what;
    const name = sourceName(folder === root ? first.kind : path.basename(folder), scan.sources.map((s) => s.name));
    const stock = readable.filter(({ what }) => what.entity === 'stock');
    const { locations, skus } = await locationsAndSkus(stock.map(({ file }) => file), first);
    scan.sources.push({
      folder,
      name,
      connector: first.connector!,
      system: first.system ?? systemFromName(path.basename(folder)),
      kind: first.kind,
      files: readable.map(({ file }) => file),
      locations,
      skus,
    });
  }
  return scan;
}

/** A source name from a folder name: lower case letters, digits, - and _; unique among `taken`. */
function sourceName(hint: string, taken: string[]): string {
  const known = /shopify/i.test(hint) ? 'shopify' : /amazon|fba/i.test(hint) ? 'amazon' : /csv-drop/.test(hint) ? 'wms' : undefined;
  const base = known ?? (hint.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z0-9]+|-+$/g, '') || 'source');
  let name = base;
  for (let n = 2; taken.includes(name); n++) name = `${base}-${n}`;
  return name;
}

/** Which system a csv-drop folder's name suggests (wms when it says nothing). */
export function systemFromName(name: string): SourceConfig['system'] {
  if (/erp|sap|netsuite|odoo|erpnext|dynamics/i.test(name)) return 'erp';
  if (/oms|order/i.test(name)) return 'oms';
  if (/shop|store|ecom|web/i.test(name)) return 'ecommerce';
  if (/amazon|market|ebay/i.test(name)) return 'marketplace';
  return 'wms';
}

/** The distinct locations and SKUs of stock files (ids for csv-drop, Shopify's location names, an ERP's warehouses); none for an FBA report (its one location is the FBA centre). */
async function locationsAndSkus(files: string[], what: RecognisedExport): Promise<{ locations: string[]; skus: number }> {
  const locationColumn = what.database?.locationColumn ?? (what.connector === 'shopify-csv' ? 'Location' : what.connector === 'csv-drop' ? 'location_id' : undefined);
  const skuColumn = what.connector === 'shopify-csv' ? 'SKU' : 'sku';
  const locations = new Set<string>();
  const skus = new Set<string>();
  for (const file of files) {
    const bytes = await readFile(file);
    const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
    const [headerLine, ...lines] = text.split(/\r?\n/);
    const header = recogniseHeader(headerLine).header;
    const at = (name: string | undefined) => (name === undefined ? -1 : header.findIndex((column) => column.toLowerCase() === name.toLowerCase()));
    const [locationAt, skuAt] = [at(locationColumn), at(skuColumn)];
    for (const line of lines) {
      if (line.trim() === '') continue;
      // Ids and SKUs seldom hold the delimiter; a quoted cell is unquoted, not parsed in full.
      const cells = line.split(what.delimiter).map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));
      if (locationAt >= 0 && cells[locationAt]) locations.add(cells[locationAt]);
      if (skuAt >= 0 && cells[skuAt]) skus.add(cells[skuAt]);
    }
  }
  return { locations: [...locations].sort(), skus: skus.size };
}
