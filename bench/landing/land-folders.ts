// Part of bench/landing.bench.ts: lands csv-drop folders through the real ingest of the checkout at
// `root` (this one, or an earlier revision exported for comparison), in its own process.
// `node --import tsx land-folders.ts <root> <database-file> <folder>...`; prints wall and CPU ms.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, file, ...folders] = process.argv.slice(2);
const from = (module: string) => import(pathToFileURL(path.join(root, module)).href);
const [{ parseConfig }, { Database }, { runIngest }] = await Promise.all([from('core/load-config.ts'), from('db/database.ts'), from('ingest/run-ingest.ts')]);

const sources = folders.map((folder, index) => `  - { name: s${index}-${path.basename(folder)}, system: wms, connector: csv-drop, quiet_period: 0s, path: ${JSON.stringify(folder)} }`).join('\n');
const config = parseConfig(`data_dir: ${JSON.stringify(path.dirname(file))}\nsources:\n${sources}\n`, path.join(path.dirname(file), 'stocklens.config.yaml'));
const db = await Database.open(file);
const cpu = process.cpuUsage();
const started = performance.now();
const summaries: { rows: number; rejected: number }[] = await runIngest(config, db);
const ms = performance.now() - started;
const used = process.cpuUsage(cpu);
db.closeSync();
console.log(JSON.stringify({
  ms,
  cpuMs: (used.user + used.system) / 1000,
  rows: summaries.reduce((sum, summary) => sum + summary.rows, 0),
  rejected: summaries.reduce((sum, summary) => sum + summary.rejected, 0),
}));
