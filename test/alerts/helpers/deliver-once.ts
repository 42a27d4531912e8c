// Child process of the crash test: one delivery round against a config file at a given time.
import { deliverDue } from '../../../alerts/index.ts';
import { loadConfig } from '../../../core/load-config.ts';
import { Database } from '../../../db/database.ts';

const [configFile, at] = process.argv.slice(2);
const config = loadConfig(configFile);
const db = await Database.open(config.databaseFile);
const summary = await deliverDue(config, db, { now: new Date(at) });
process.stdout.write(`${JSON.stringify({ sent: summary.sent.map((entry) => entry.key), recovered: summary.recovered, failed: summary.failed })}\n`);
db.closeSync();
