// Forms the GlobeCo replica set and creates the application user; run by mongosh in the
// globeco-portfolio-mongodb-init Job, connected to member 0 as root. Safe to run any number of times.
/* global rs, db, Mongo, print, sleep, process */
const replicas = Number(process.env.MONGO_REPLICAS || '1');
const setName = process.env.MONGO_REPLICA_SET || 'rs0';
const service = process.env.MONGO_SERVICE || 'globeco-portfolio-mongodb';
const database = process.env.MONGODB_DATABASE;
const appUser = process.env.MONGO_APP_USERNAME;
const appPassword = process.env.MONGO_APP_PASSWORD;
const rootUser = process.env.MONGO_ROOT_USERNAME;
const rootPassword = process.env.MONGO_ROOT_PASSWORD;

if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`MONGO_REPLICAS must be a positive integer, got ${process.env.MONGO_REPLICAS}`);
if (!database || !appUser || !appPassword) throw new Error('MONGODB_DATABASE, MONGO_APP_USERNAME and MONGO_APP_PASSWORD are required');

const members = Array.from({ length: replicas }, (_, i) => ({ _id: i, host: `${service}-${i}.${service}:27017` }));

function isInitiated() {
  try {
    rs.status();
    return true;
  } catch (error) {
    // 94 NotYetInitialized: a fresh member that has never joined a set.
    if (error.code === 94 || error.codeName === 'NotYetInitialized') return false;
    throw error;
  }
}

if (isInitiated()) {
  print(`replica set ${setName} already initiated`);
} else {
  rs.initiate({ _id: setName, members });
  print(`replica set ${setName} initiated with ${replicas} member(s)`);
}

function findPrimary() {
  try {
    const primary = rs.status().members.find((m) => m.stateStr === 'PRIMARY');
    return primary ? primary.name : undefined;
  } catch {
    return undefined;
  }
}

let primaryHost;
for (let attempt = 0; attempt < 120 && !primaryHost; attempt += 1) {
  primaryHost = findPrimary();
  if (!primaryHost) sleep(1000);
}
if (!primaryHost) throw new Error(`replica set ${setName} elected no primary within 120 s`);
print(`primary: ${primaryHost}`);

const admin = new Mongo(`mongodb://${primaryHost}/?directConnection=true`).getDB('admin');
admin.auth(rootUser, rootPassword);
const roles = [{ role: 'readWrite', db: database }];
if (admin.getUser(appUser)) {
  admin.updateUser(appUser, { pwd: appPassword, roles });
  print(`user ${appUser} updated`);
} else {
  admin.createUser({ user: appUser, pwd: appPassword, roles });
  print(`user ${appUser} created`);
}
