#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { formatBackendLine, startMongo } from './start-mongo.js';

const usage = 'usage: globeco-mongo [--port N] [--topology replset|standalone]';

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { port: { type: 'string' }, topology: { type: 'string', default: 'replset' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    return;
  }
  const topology = values.topology;
  if (topology !== 'replset' && topology !== 'standalone') {
    console.error(`--topology must be replset or standalone, got ${String(topology)}\n${usage}`);
    process.exit(2);
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    console.error(`--port must be an integer 0..65535, got ${String(values.port)}\n${usage}`);
    process.exit(2);
  }
  const mongo = await startMongo({ topology, ...(port !== undefined ? { port } : {}) });
  // Handlers go in before the URI is announced, so a signal sent right after it is honoured.
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(0), 900);
    force.unref();
    mongo.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`${mongo.uri}\n`);
  console.error(formatBackendLine(mongo));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
