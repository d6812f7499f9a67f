// The API and loadgen Dockerfiles: lint-clean, and compliant with the image policy (multi-stage,
// pinned Node LTS slim base, only the pruned build output in the runtime stage, numeric non-root
// USER, HEALTHCHECK, exec-form start so node is PID 1 and gets SIGTERM).
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerfileProblems, lintDockerfile, readStages } from './lib/dockerfile.mjs';
import { infraDir, repoDir } from './lib/paths.mjs';

const read = (name) => readFileSync(join(infraDir, 'docker', name), 'utf8');
const api = read('Dockerfile');
const loadgen = read('loadgen.Dockerfile');
const pnpmPin = JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8')).packageManager;

describe.each([
  ['Dockerfile', api, '@globeco/portfolio-api', 'required'],
  ['loadgen.Dockerfile', loadgen, '@globeco/loadgen', 'none-allowed'],
])('%s', (name, text, pkg, healthcheck) => {
  it('lints clean', () => {
    expect(lintDockerfile(text)).toStrictEqual([]);
  });

  it('complies with the image policy', () => {
    expect(dockerfileProblems(text, { healthcheck })).toStrictEqual([]);
  });

  it('builds with the repository\'s pinned pnpm and deploys a pruned production install of its package', () => {
    const build = readStages(text)[0].instructions;
    const runs = build.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');
    expect(runs).toContain(`npm install --global --no-fund --no-audit ${pnpmPin}`);
    expect(runs).toMatch(/pnpm install --frozen-lockfile --offline/);
    expect(runs).toContain(`pnpm --filter ${pkg} deploy --prod --offline /out`);
    const copies = readStages(text).at(-1).instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies).toStrictEqual([
      '--from=build --chown=1000:1000 /out/package.json ./package.json',
      '--from=build --chown=1000:1000 /out/dist ./dist',
      '--from=build --chown=1000:1000 /out/node_modules ./node_modules',
    ]);
  });

  it('has a per-Dockerfile ignore file identical to the API\'s (and to the root .dockerignore, if present)', () => {
    const body = (file) => readFileSync(file, 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('\n');
    const own = body(join(infraDir, 'docker', `${name}.dockerignore`));
    expect(own).toBe(body(join(infraDir, 'docker', 'Dockerfile.dockerignore')));
    const root = join(repoDir, '.dockerignore');
    if (existsSync(root)) expect(body(root)).toBe(own);
    for (const pattern of ['**/node_modules', '**/dist', '.git', '**/secrets.env']) expect(own.split('\n')).toContain(pattern);
    for (const needed of ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', 'apps', 'packages']) {
      expect(own.split('\n').some((p) => p === needed || p === `${needed}/`)).toBe(false);
    }
  });
});

describe('Dockerfile specifics', () => {
  it('checks the API health with a node one-liner against /health/live and exposes port 8000', () => {
    const final = readStages(api).at(-1).instructions;
    expect(final.find((i) => i.keyword === 'HEALTHCHECK').args).toMatch(/CMD \["node", "-e", ".*\/health\/live.*"\]$/s);
    expect(final.find((i) => i.keyword === 'EXPOSE').args).toBe('8000');
    expect(final.find((i) => i.keyword === 'CMD').args).toBe('["node", "--enable-source-maps", "dist/main.js"]');
  });

  it('starts the load generator CLI as entrypoint', () => {
    const final = readStages(loadgen).at(-1).instructions;
    expect(final.find((i) => i.keyword === 'ENTRYPOINT').args).toBe('["node", "--enable-source-maps", "dist/bin.js"]');
  });
});

describe('image policy checks (they have teeth)', () => {
  it('reports a floating base, a root user, a missing HEALTHCHECK and a shell-form CMD', () => {
    const bad = 'FROM node:latest AS build\nRUN true\nFROM node:22-slim\nCOPY . .\nUSER root\nCMD node dist/main.js\n';
    expect(dockerfileProblems(bad, { healthcheck: 'required' })).toStrictEqual([
      'base image node:latest is not pinned',
      'base image node:22-slim is not pinned',
      'final stage runs as root',
      'final stage has no HEALTHCHECK',
      'CMD is not in exec form (node would not be PID 1 and miss SIGTERM)',
      'final stage copies from the build context: COPY . .',
    ]);
  });

  it('reports a single stage, a base on another Node than .node-version and a named user', () => {
    expect(dockerfileProblems('FROM node:24.22.3-bookworm-slim\nUSER node\nHEALTHCHECK NONE\nCMD ["node"]\n', { healthcheck: 'required', nodeVersion: '26.12.1' })).toStrictEqual([
      'not multi-stage',
      'base image node:24.22.3-bookworm-slim is not the Node 26.12.1 slim image (.node-version)',
      'final USER node is not numeric (Kubernetes cannot verify runAsNonRoot)',
      'HEALTHCHECK is NONE',
    ]);
  });

  it('lint reports malformed instructions', () => {
    expect(lintDockerfile('FROM node:26.12.1-bookworm-slim\nUSER\nEXPOSE abc\n')).toStrictEqual(['2: Instruction has no arguments', '3: Invalid containerPort: abc']);
  });
});
