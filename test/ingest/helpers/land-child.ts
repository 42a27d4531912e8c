// Child process of the crash test: lands every source of a config and says when it starts.
import { loadConfig } from '../../../core/load-config.ts';
import { Database } from '../../../db/database.ts';
import { ensureLandingSchema } from '../../../ingest/ensure-schema.ts';
import { runIngest } from '../../../ingest/run-ingest.ts';

const config = loadConfig(process.argv[2]);
const db = await Database.open(config.databaseFile);
await ensureLandingSchema(db);
process.stdout.write('landing\n');
await runIngest(config, db);
db.closeSync();
process.stdout.write('done\n');
