// Replays the build stage of a Dockerfile on the host, the way a clean builder runs it: a scratch
// directory gets exactly what each COPY brings from the build context (the repository's tracked
// files less the Dockerfile's .dockerignore), and each RUN runs there with an empty pnpm store,
// an empty cache and an empty HOME. Only the global pnpm install is skipped: the pnpm on PATH runs
// instead, and the caller checks it is the version the Dockerfile installs.
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, matchesGlob, posix } from 'node:path';
import { readStages } from './dockerfile.mjs';
import { infraDir, repoDir } from './paths.mjs';

/** The patterns of a .dockerignore file (comments and blank lines dropped). */
export function readDockerignore(file) {
  return readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

/** Whether a context path is excluded: a pattern matches the path or one of its parent folders. */
export function isIgnored(path, patterns) {
  const parts = path.split('/');
  return parts.some((_, i) => {
    const prefix = parts.slice(0, i + 1).join('/');
    return patterns.some((p) => matchesGlob(prefix, p.replace(/\/$/, '')));
  });
}

/** The build context of a fresh clone: tracked files less the Dockerfile's ignore patterns. */
export function buildContext(dockerfile) {
  const patterns = readDockerignore(join(infraDir, 'docker', `${dockerfile}.dockerignore`));
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: repoDir, encoding: 'utf8' }).split('\0').filter(Boolean);
  return tracked.filter((f) => !isIgnored(f, patterns));
}

function copyFromContext(context, sources, dest, workdir) {
  for (const source of sources) {
    const src = posix.normalize(source).replace(/^\.\/?/, '');
    const files = src === '' ? context : context.filter((f) => f === src || f.startsWith(`${src}/`));
    if (files.length === 0) throw new Error(`COPY ${source}: nothing in the build context`);
    const isFile = files.length === 1 && files[0] === src;
    for (const file of files) {
      // A folder's contents land under the destination; a file lands at it, or in it when it is a folder.
      const target = isFile
        ? dest.endsWith('/') || sources.length > 1 ? join(workdir, dest, posix.basename(file)) : join(workdir, dest)
        : join(workdir, dest, src === '' ? file : file.slice(src.length + 1));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(join(repoDir, file), target);
    }
  }
}

function run(script, options) {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-ec', script], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

/**
 * Replays the first stage of `infra/docker/<dockerfile>` and returns where its `/out` went.
 * @param {string} dockerfile file name under infra/docker
 * @param {{ timeoutMs?: number }} [options]
 * @returns {Promise<{ out: string, steps: { run: string, ms: number }[], pnpmInstall: string }>}
 */
export async function replayBuildStage(dockerfile, { timeoutMs = 300_000 } = {}) {
  const [stage] = readStages(readFileSync(join(infraDir, 'docker', dockerfile), 'utf8'));
  const root = mkdtempSync(join(tmpdir(), 'globeco-build-'));
  const [workdir, store, home, cache, out] = ['repo', 'store', 'home', 'cache', 'out'].map((d) => join(root, d));
  for (const d of [workdir, home, cache]) mkdirSync(d, { recursive: true });
  const context = buildContext(dockerfile);
  const env = { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: cache, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config'), npm_config_cache: join(cache, 'npm') };
  const steps = [];
  let pnpmInstall = '';
  for (const { keyword, args } of stage.instructions) {
    if (keyword === 'ENV') {
      for (const [, name, value] of args.matchAll(/(\w+)=(\S+)/g)) if (name !== 'PATH' && name !== 'PNPM_HOME') env[name] = value;
    } else if (keyword === 'COPY') {
      const parts = args.split(/\s+/).filter((p) => !p.startsWith('--'));
      copyFromContext(context, parts.slice(0, -1), parts.at(-1), workdir);
    } else if (keyword === 'RUN') {
      const script = args.replace(/--mount=\S+\s*/g, '').replaceAll('/pnpm/store', store).replace(/\s\/out\b/g, ` ${out}`);
      if (/^npm install --global\b/.test(script)) {
        pnpmInstall = script;
        continue;
      }
      const started = Date.now();
      const result = await run(script, { cwd: workdir, env, timeoutMs });
      if (result.status !== 0) throw new Error(`${dockerfile}: RUN ${args}\nexited ${result.status}:\n${result.output}`);
      steps.push({ run: args, ms: Date.now() - started });
    }
  }
  return { out, steps, pnpmInstall, root };
}
