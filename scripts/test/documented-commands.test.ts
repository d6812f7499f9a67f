// The README's commands in a copy of this workspace, with whatever pnpm a developer may have
// first on the PATH (none, 10, 11, the pinned one): each ends up on the pinned Node.js and pnpm.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, test } from 'vitest';
import { majorOf, nodePackageName } from '../lib/toolchain.mjs';
import { copyWorkspace, nodeVersion, pins, pnpmBinDir, run, scenarioEnv, sharedToolchain, which, type Result } from './support/workspace.js';

// The pnpm majors a developer may still have.
const PNPM_10 = '10.34.9';
const PNPM_11 = '11.28.12';

const runDir = inject('runDir');
let copy = '';

beforeAll(() => {
  copy = copyWorkspace(runDir, 'commands');
});

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The one line workspace.mjs prints when, and only when, the Node.js it was started with is older. */
function expectNodeLine(result: Result, startedWith: string): void {
  const lines = result.stderr.split('\n').filter((line) => line.startsWith('Node '));
  const expected =
    majorOf(startedWith) < majorOf(pins.node)
      ? [
          expect.stringMatching(
            new RegExp(`^Node ${escape(startedWith)} is older than the pinned ${escape(pins.node)}: (fetching|using) Node ${escape(pins.node)} from the npm registry .*\\.toolchain/node-${escape(pins.node)}\\)?$`),
          ),
        ]
      : [];
  expect(lines).toStrictEqual(expected);
}

function expectBuilt(result: Result, startedWith: string): void {
  expect(result.code, result.stdout + result.stderr).toBe(0);
  expect(result.stdout).toMatch(/Tasks:\s+(\d+) successful, \1 total/);
  expectNodeLine(result, startedWith);
}

function expectManual(result: Result, startedWith: string): void {
  expect(result.code, result.stdout + result.stderr).toBe(0);
  expect(result.stdout).toContain('globeco-loadgen <base-url> [options]');
  expectNodeLine(result, startedWith);
}

describe('documented commands', () => {
  test('no pnpm anywhere on the PATH: npm run build, npm run loadgen -- --help, node scripts/workspace.mjs loadgen --help', async () => {
    const env = scenarioEnv([]);
    expect(which('pnpm', env)).toBeUndefined();
    const machine = nodeVersion(env);

    expectBuilt(await run('npm', ['run', 'build'], { cwd: copy, env }), machine);
    // Installed by the pinned pnpm, fetched into .toolchain because none was on the PATH.
    expect(readFileSync(join(copy, 'node_modules', '.modules.yaml'), 'utf8')).toMatch(new RegExp(`"?packageManager"?: "?pnpm@${escape(pins.pnpm)}`));
    expect(existsSync(join(copy, '.toolchain', `pnpm-${pins.pnpm}`, 'node_modules', '.bin', 'pnpm'))).toBe(true);

    expectManual(await run('npm', ['run', 'loadgen', '--', '--help'], { cwd: copy, env }), machine);
    const direct = await run('node', ['scripts/workspace.mjs', 'loadgen', '--help'], { cwd: copy, env });
    expectManual(direct, machine);
    // Install and build stay off stdout, which the load generator's reports may be piped from.
    expect(direct.stdout).toMatch(/^globeco-loadgen /);
  });

  test(`pnpm ${PNPM_10} first on the PATH (its version switch off, as the README says): pnpm build, pnpm loadgen --help`, async () => {
    const env = scenarioEnv([await pnpmBinDir(runDir, PNPM_10)], { npm_config_manage_package_manager_versions: 'false' });
    const machine = nodeVersion(env);

    expectBuilt(await run('pnpm', ['build'], { cwd: copy, env }), machine);
    expectManual(await run('pnpm', ['loadgen', '--help'], { cwd: copy, env }), machine);
  });

  test(`pnpm ${PNPM_11} first on the PATH: pnpm build, pnpm loadgen --help`, async () => {
    // pnpm 11 starts only on Node.js >= 22.13: the machine's when it is that new, else the pinned one.
    const machine = nodeVersion(scenarioEnv([]));
    const [major = 0, minor = 0] = machine.split('.').map(Number);
    const nodeFirst = major > 22 || (major === 22 && minor >= 13) ? [] : [join(sharedToolchain(runDir), `node-${pins.node}`, 'node_modules', nodePackageName(), 'bin')];
    const env = scenarioEnv([await pnpmBinDir(runDir, PNPM_11), ...nodeFirst]);
    const startedWith = nodeVersion(env);

    expectBuilt(await run('pnpm', ['build'], { cwd: copy, env }), startedWith);
    expectManual(await run('pnpm', ['loadgen', '--help'], { cwd: copy, env }), startedWith);
  });

  test('the pinned pnpm first on the PATH: used as it is, nothing fetched for it', async () => {
    const shared = sharedToolchain(runDir);
    const pinnedPnpm = join(shared, `pnpm-${pins.pnpm}`, 'node_modules', '.bin');
    expect(existsSync(pinnedPnpm)).toBe(true);
    // This copy's .toolchain gets the pinned Node.js only.
    const ownToolchain = join(runDir, 'toolchain-without-pnpm');
    mkdirSync(ownToolchain, { recursive: true });
    if (existsSync(join(shared, `node-${pins.node}`))) symlinkSync(join(shared, `node-${pins.node}`), join(ownToolchain, `node-${pins.node}`), 'junction');
    renameSync(join(copy, '.toolchain'), join(copy, '.toolchain-shared'));
    symlinkSync(ownToolchain, join(copy, '.toolchain'), 'junction');
    try {
      const env = scenarioEnv([pinnedPnpm]);
      const machine = nodeVersion(env);
      expectBuilt(await run('pnpm', ['build'], { cwd: copy, env }), machine);
      expectManual(await run('pnpm', ['loadgen', '--help'], { cwd: copy, env }), machine);
      expect(existsSync(join(ownToolchain, `pnpm-${pins.pnpm}`))).toBe(false);
    } finally {
      rmSync(join(copy, '.toolchain'));
      renameSync(join(copy, '.toolchain-shared'), join(copy, '.toolchain'));
    }
  });

  test('an unknown task: the usage, exit code 2', async () => {
    const result = await run('node', ['scripts/workspace.mjs', 'deploy'], { cwd: copy, env: scenarioEnv([]) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^usage: node scripts\/workspace\.mjs <task> \[arguments\] \(unknown task "deploy"\)\n/);
    expect(result.stderr).toContain('\n  loadgen ');
  });
});
