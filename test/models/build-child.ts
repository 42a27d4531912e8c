// A build in a child process, for the crash test: prints each node as it starts and finishes.
import { loadConfig } from '../../core/load-config.ts';
import { Database } from '../../db/database.ts';
import { buildModels } from '../../models/runner/build.ts';

const [configFile, modelsDir] = process.argv.slice(2);
const config = loadConfig(configFile);
const db = await Database.open(config.databaseFile);
await buildModels(config, db, {
  modelsDir,
  threads: 1,
  onStart: (node) => process.stderr.write(`start ${node}\n`),
  onNode: (result) => process.stderr.write(`done ${result.node} ${result.status}\n`),
});
db.closeSync();
