// Runs testkit's MongoDB in its own process so the load generator does not share its event loop.
import { startMongo } from '@globeco/testkit';

const mongo = await startMongo();
process.stdout.write(`MONGO ${mongo.uri}\n`);
process.stdin.on('data', () => void mongo.stop().then(() => process.exit(0)));
