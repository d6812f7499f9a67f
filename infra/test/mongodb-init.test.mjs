// The replica-set initiation script (run by mongosh in the init Job), executed here against a
// recording stand-in for mongosh's globals: it initiates once, waits for a primary, and creates or
// updates the application user — and does nothing more on a second run.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { k8sDir } from './lib/paths.mjs';

const script = readFileSync(join(k8sDir, 'base', 'mongodb', 'init-replica-set.js'), 'utf8');

const env = {
  MONGO_REPLICAS: '3', MONGO_REPLICA_SET: 'rs0', MONGO_SERVICE: 'globeco-portfolio-mongodb', MONGODB_DATABASE: 'portfolio',
  MONGO_APP_USERNAME: 'globeco', MONGO_APP_PASSWORD: 'app-pw', MONGO_ROOT_USERNAME: 'root', MONGO_ROOT_PASSWORD: 'root-pw',
};

/** A fake replica set: `initiated` and `users` persist across runs like a real server's state. */
function createFakeServer({ initiated = false, users = {}, electAfterPolls = 2 } = {}) {
  const state = { initiated, users: { ...users }, polls: 0, calls: [] };
  const globals = {
    process: { env },
    print: () => {},
    sleep: () => { state.calls.push('sleep'); },
    rs: {
      status() {
        if (!state.initiated) throw Object.assign(new Error('no replset config has been received'), { code: 94, codeName: 'NotYetInitialized' });
        state.polls += 1;
        const elected = state.polls > electAfterPolls;
        return { members: [{ name: 'globeco-portfolio-mongodb-0.globeco-portfolio-mongodb:27017', stateStr: 'SECONDARY' }, { name: 'globeco-portfolio-mongodb-1.globeco-portfolio-mongodb:27017', stateStr: elected ? 'PRIMARY' : 'SECONDARY' }] };
      },
      initiate(config) {
        state.calls.push(['initiate', config]);
        state.initiated = true;
      },
    },
    Mongo: class {
      constructor(uri) { state.calls.push(['connect', uri]); }
      getDB(name) {
        return {
          auth: (user, pwd) => state.calls.push(['auth', name, user, pwd]),
          getUser: (user) => state.users[user] ?? null,
          createUser: (spec) => { state.calls.push(['createUser', spec]); state.users[spec.user] = spec; },
          updateUser: (user, spec) => { state.calls.push(['updateUser', user, spec]); state.users[user] = { user, ...spec }; },
        };
      }
    },
  };
  // Objects built inside the script's context have that context's prototypes: compare plain copies.
  return { state, calls: () => JSON.parse(JSON.stringify(state.calls)), run: () => runInNewContext(script, globals) };
}

const roles = [{ role: 'readWrite', db: 'portfolio' }];

describe('init-replica-set.js', () => {
  it('initiates a fresh set with one member per replica, waits for the primary, then creates the app user there', () => {
    const server = createFakeServer();
    server.run();
    expect(server.calls()).toStrictEqual([
      ['initiate', { _id: 'rs0', members: [0, 1, 2].map((i) => ({ _id: i, host: `globeco-portfolio-mongodb-${i}.globeco-portfolio-mongodb:27017` })) }],
      'sleep',
      'sleep',
      ['connect', 'mongodb://globeco-portfolio-mongodb-1.globeco-portfolio-mongodb:27017/?directConnection=true'],
      ['auth', 'admin', 'root', 'root-pw'],
      ['createUser', { user: 'globeco', pwd: 'app-pw', roles }],
    ]);
  });

  it('on an initiated set with the user present, only re-applies the user (idempotent)', () => {
    const server = createFakeServer({ initiated: true, users: { globeco: { user: 'globeco' } }, electAfterPolls: 0 });
    server.run();
    expect(server.calls()).toStrictEqual([
      ['connect', 'mongodb://globeco-portfolio-mongodb-1.globeco-portfolio-mongodb:27017/?directConnection=true'],
      ['auth', 'admin', 'root', 'root-pw'],
      ['updateUser', 'globeco', { pwd: 'app-pw', roles }],
    ]);
  });

  it('fails when no primary is elected in time, and on any other rs.status error', () => {
    expect(() => createFakeServer({ electAfterPolls: 1_000 }).run()).toThrow('replica set rs0 elected no primary within 120 s');
    const server = createFakeServer();
    const broken = { ...server, run: () => runInNewContext(script, { process: { env }, print: () => {}, sleep: () => {}, rs: { status: () => { throw Object.assign(new Error('Authentication failed'), { code: 18 }); } } }) };
    expect(() => broken.run()).toThrow('Authentication failed');
  });
});
