import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import { StocklensError } from '../../core/errors.ts';
import { parseConfig } from '../../core/load-config.ts';
import { checkSetup } from '../../ingest/check-setup.ts';
import { erpSourceBlocks, initConfigText, type InitPlan } from '../init/init-config-text.ts';
import { scanExports, type ScannedSource } from '../init/scan-exports.ts';
import { say } from '../terminal.ts';
import { doctorLines } from './doctor-command.ts';

interface InitOptions {
  truth?: string;
  channel?: string[];
  noChannel?: string[];
  location?: string[];
  timezone: string;
  yes?: boolean;
  force?: boolean;
}

export function initCommand(): Command {
  return new Command('init')
    .description('look at a folder of exports and write a stocklens.config.yaml that ingests, builds and serves them')
    .argument('[folder]', 'the folder of exports (each kind of export in a folder of its own inside it); asked when not given on a terminal', undefined)
    .option('--truth <source>', 'the source whose counts are right at the warehouses (default: the first WMS source)')
    .option('--channel <source=locations...>', 'compare a storefront at these locations: shopify=WH-EAST,WH-WEST (default: every storefront at every location with a truth)')
    .option('--skip-channel <source...>', 'never compare these storefronts')
    .option('--location <name=id...>', "which location a vendor's location name is: \"East DC=WH-EAST\"")
    .option('--timezone <zone>', 'the zone the dashboard shows times in', Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC')
    .option('-y, --yes', 'ask nothing: take the defaults and the flags')
    .option('--force', 'overwrite an existing config')
    .action(async (folderArgument: string | undefined, rawOptions: InitOptions & { skipChannel?: string[] }, command: Command) => {
      const options: InitOptions = { ...rawOptions, noChannel: rawOptions.skipChannel };
      const configFile = path.resolve(command.optsWithGlobals<{ config?: string }>().config ?? 'stocklens.config.yaml');
      const ask = process.stdin.isTTY && !options.yes ? asker() : undefined;
      try {
        const folder = path.resolve(folderArgument ?? ((await ask?.('Folder of exports', '.')) || '.'));
        if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new StocklensError(`${folder} is not a folder: give the folder your exports are in (stocklens init ./exports)`);
        if (existsSync(configFile) && !options.force) {
          throw new StocklensError(`${configFile} exists: run stocklens doctor to check it, or stocklens init --force to write a new one over it`);
        }
        const scan = await scanExports(folder);
        for (const source of scan.sources) {
          say(`${path.relative(process.cwd(), source.folder) || '.'}: ${source.files.length} ${source.kind} file${source.files.length === 1 ? '' : 's'} → source ${source.name} (${source.system})`);
          if (source.locations.length > 0) say(`  ${source.skus} SKUs at ${source.locations.join(', ')}`);
        }
        for (const file of scan.setAside) say(`set aside ${path.relative(process.cwd(), file.file)}: ${file.kind}: ${file.advice}`);
        if (scan.sources.length === 0) {
          const erpExports = scan.setAside.filter((file) => file.database);
          // An ERP alone is read from its database: the source to write, since no config can be.
          const blocks = erpExports.length > 0 ? `; write ${path.relative(process.cwd(), configFile) || configFile} by hand (README: Point it at your own files) with the ERP as its source, filled in and uncommented, and its locations:\n${erpSourceBlocks(erpExports, [], path.dirname(configFile), []).join('\n')}` : '';
          throw new StocklensError(`no export in ${folder} that Stocklens reads: see the files set aside above${blocks}`);
        }
        const plan = { ...(await planFrom(scan.sources, options, path.dirname(configFile), ask)), erpExports: scan.setAside.filter((file) => file.database) };
        const text = initConfigText(plan);
        // The config must load as written: the same check as every command's.
        const config = parseConfig(text, configFile);
        writeFileSync(configFile, text);
        say(`\nwrote ${path.relative(process.cwd(), configFile) || configFile}: ${plan.sources.length} sources, ${plan.locations.length} locations, ${plan.channels.length} channels; truth: ${plan.truth}`);
        const findings = await checkSetup(config);
        for (const line of doctorLines(findings)) say(line);
        say('next: stocklens ingest && stocklens build && stocklens serve');
      } finally {
        ask?.close();
      }
    });
}

type Ask = ((question: string, fallback: string) => Promise<string>) & { close(): void };

/** Questions on the terminal (stderr, so stdout stays clean), each with its default in brackets. */
function asker(): Ask {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  const ask = (async (question: string, fallback: string) => (await terminal.question(`${question} [${fallback}]: `)).trim() || fallback) as Ask;
  ask.close = () => terminal.close();
  return ask;
}

/** The truth, the locations, the vendor location names and the channels, from the flags, the answers and the defaults. */
async function planFrom(sources: ScannedSource[], options: InitOptions, configDir: string, ask?: Ask): Promise<Omit<InitPlan, 'erpExports'>> {
  const counting = sources.filter((source) => source.connector === 'csv-drop' && source.system !== 'ecommerce' && source.system !== 'marketplace');
  const fallbackTruth = (counting.find((source) => source.system === 'wms') ?? counting[0])?.name;
  let truth = options.truth ?? fallbackTruth;
  if (ask && counting.length > 1) truth = await ask(`Which source's counts are right at the warehouses (${counting.map((s) => s.name).join(', ')})?`, truth!);
  if (!truth || !sources.some((source) => source.name === truth)) {
    throw new StocklensError(truth ? `--truth ${truth} is not one of the sources found (${sources.map((s) => s.name).join(', ')})` : 'no warehouse or ERP stock file found to be the truth: add the WMS export (location_id, sku, on_hand) to the folder');
  }
  const truthSource = sources.find((source) => source.name === truth)!;
  const locations: InitPlan['locations'] = truthSource.locations.map((id) => ({ id, name: id, kind: 'warehouse' as const, truth_source: truth!, from: `found in ${truth}'s files` }));
  const ids = new Set(locations.map((location) => location.id));
  const given = new Map((options.location ?? []).map((pair) => pair.split('=') as [string, string]));
  const locationMaps = new Map<string, Record<string, string>>();
  const channels: InitPlan['channels'] = [];
  for (const source of sources) {
    if (source.connector === 'amazon-fba-report') {
      // The FBA report is the truth at the FBA centre: Amazon counts the units it holds.
      locations.push({ id: 'FBA', name: 'Amazon FBA', kind: 'marketplace_fc', truth_source: source.name, from: `the FBA centre of ${source.name}'s report` });
      continue;
    }
    if (source.system !== 'ecommerce' && source.system !== 'marketplace') continue;
    const map: Record<string, string> = {};
    const sells: string[] = [];
    for (const name of source.locations) {
      let id = given.get(name) ?? (ids.has(name) ? name : undefined);
      if (!id && source.connector === 'shopify-csv' && ask) {
        const answer = await ask(`Which location is ${source.name}'s "${name}" (${[...ids].join(', ')}, or Enter to skip it)?`, '');
        id = ids.has(answer) ? answer : undefined;
      }
      if (!id) {
        say(`  ${source.name}'s location "${name}" is none of ${[...ids].join(', ')}: its rows are quarantined until you add it to location_map (stocklens init --location "${name}=ID")`);
        continue;
      }
      if (source.connector === 'shopify-csv') map[name] = id;
      // The vendor's name for a location is the one people use: the dashboard shows it.
      const location = locations.find((entry) => entry.id === id);
      if (location && location.name === location.id && name !== id) location.name = name;
      sells.push(id);
    }
    if (Object.keys(map).length > 0) locationMaps.set(source.name, map);
    const flagged = (options.channel ?? []).find((entry) => entry.split('=')[0] === source.name);
    let channelLocations = flagged ? (flagged.split('=')[1] ?? '').split(',').filter(Boolean) : [...new Set(sells)];
    if (options.noChannel?.includes(source.name)) channelLocations = [];
    else if (ask && !flagged) {
      const answer = await ask(`Compare ${source.name}'s available figures with the truth at (comma-separated, or "none")`, channelLocations.join(',') || 'none');
      channelLocations = answer === 'none' ? [] : answer.split(',').map((id) => id.trim()).filter(Boolean);
    }
    if (channelLocations.length > 0) channels.push({ source: source.name, kind: source.system === 'marketplace' ? 'marketplace' : 'web', locations: channelLocations });
  }
  return { configDir, sources, truth, locations, locationMaps, channels, timezone: options.timezone };
}
