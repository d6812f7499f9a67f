// One-off maintenance commands, run by hand (never at start-up): `migrate drop-name-lower`.
import { createMongoClient, dropLegacyNameLower, PORTFOLIO_COLLECTION } from '@globeco/portfolio-core';
import { CONFIG_ERROR_EXIT_CODE, ConfigError, loadConfig } from './config.js';

const COMMANDS = ['drop-name-lower'] as const;

const [command] = process.argv.slice(2);
if (command !== 'drop-name-lower') {
  process.stderr.write(`usage: migrate <${COMMANDS.join(' | ')}>\n`);
  process.exit(2);
}
let uri: string | undefined;
let databaseName: string;
try {
  const config = loadConfig(process.env);
  uri = config.mongo.uri;
  databaseName = config.mongo.database;
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(CONFIG_ERROR_EXIT_CODE);
}
if (uri === undefined) {
  process.stderr.write('Missing MONGODB_URI: the migration runs against an existing database\n');
  process.exit(CONFIG_ERROR_EXIT_CODE);
}
const client = createMongoClient({ uri, minPoolSize: 0, maxPoolSize: 1 });
try {
  const result = await dropLegacyNameLower(client.db(databaseName).collection(PORTFOLIO_COLLECTION));
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await client.close();
}
