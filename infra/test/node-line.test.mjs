// One Node.js line everywhere: .node-version pins it; every workspace package's `engines`, both
// Dockerfiles' base images, the build targets and the README name the same major.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinnedNodeVersion } from './lib/dockerfile.mjs';
import { repoDir } from './lib/paths.mjs';

const major = pinnedNodeVersion.split('.')[0];
const tracked = (pattern) => execFileSync('git', ['ls-files', pattern], { cwd: repoDir, encoding: 'utf8' }).split('\n').filter(Boolean);

describe(`Node.js ${pinnedNodeVersion} (.node-version)`, () => {
  it('is a current LTS line: an even major', () => {
    expect(Number(major) % 2).toBe(0);
  });

  it('is the engines floor of every workspace package (but the bootstrap scripts, which bring it)', () => {
    // scripts/ runs on the machine's older Node.js to fetch the pinned one: its floor is its own.
    const engines = tracked('**package.json').concat('package.json').filter((f) => !f.includes('fixtures') && f !== 'scripts/package.json');
    const found = Object.fromEntries(engines.map((f) => [f, JSON.parse(readFileSync(join(repoDir, f), 'utf8')).engines?.node]));
    expect(Object.entries(found).filter(([, range]) => range !== `>=${major}`)).toStrictEqual([]);
  });

  it('is what every Dockerfile builds and runs on', () => {
    for (const f of tracked('infra/docker/*Dockerfile')) {
      expect(readFileSync(join(repoDir, f), 'utf8'), f).toContain(`ARG NODE_IMAGE=node:${pinnedNodeVersion}-bookworm-slim`);
    }
  });

  it('is the target of every tsup build', () => {
    for (const f of tracked('**/tsup.config.ts')) expect(readFileSync(join(repoDir, f), 'utf8'), f).toContain(`target: 'node${major}'`);
  });

  it('is what the README says the project runs on', () => {
    const readme = readFileSync(join(repoDir, 'README.md'), 'utf8');
    expect(readme).toContain(`**Node.js ${major}**`);
    expect(readme).toContain(`\`.node-version\` pins ${pinnedNodeVersion}`);
    expect(readme).toContain(`node:${pinnedNodeVersion}-bookworm-slim`);
  });
});
