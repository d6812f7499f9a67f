// Reads a Dockerfile into stages and checks it against the image policy.
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPinnedImage } from './images.mjs';
import { repoDir } from './paths.mjs';

/** The Node version the repository pins (.node-version): every image builds and runs on it. */
export const pinnedNodeVersion = readFileSync(join(repoDir, '.node-version'), 'utf8').trim();

/** dockerfile-utils diagnostics as `line: message` strings (empty when the file lints clean). */
export function lintDockerfile(text) {
  return validate(text).map((d) => `${d.range.start.line + 1}: ${d.message}`);
}

/**
 * Splits a Dockerfile into stages, resolving `${ARG}` in FROM from global ARG defaults.
 * @returns {{ image: string, name: string | undefined, instructions: { keyword: string, args: string }[] }[]}
 */
export function readStages(text) {
  const dockerfile = DockerfileParser.parse(text);
  const globals = new Map();
  const stages = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    // Raw text minus the keyword: flags such as --from= and continuation lines kept (joined).
    const args = instruction.getTextContent().replace(/^\s*\S+\s*/, '').replace(/\\\r?\n\s*/g, ' ');
    if (keyword === 'FROM') {
      const [image, as, name] = args.trim().split(/\s+/).filter((a) => !a.startsWith('--'));
      const resolved = image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => globals.get(a ?? b) ?? '');
      stages.push({ image: resolved, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0 && keyword === 'ARG') {
      const [name, value = ''] = args.trim().split('=');
      globals.set(name, value);
    } else if (stages.length > 0) {
      stages.at(-1).instructions.push({ keyword, args: args.trim() });
    }
  }
  return stages;
}

/**
 * Lists the policy violations of a Dockerfile (empty when it complies).
 * @param {string} text
 * @param {{ healthcheck: 'required' | 'none-allowed', nodeVersion?: string }} options (nodeVersion: the repository's .node-version)
 */
export function dockerfileProblems(text, { healthcheck, nodeVersion = pinnedNodeVersion }) {
  const problems = [];
  const stages = readStages(text);
  if (stages.length < 2) problems.push('not multi-stage');
  for (const stage of stages) {
    if (!isPinnedImage(stage.image)) problems.push(`base image ${stage.image || '(empty)'} is not pinned`);
    else if (!new RegExp(`^node:${nodeVersion.replaceAll('.', '\\.')}-(bookworm|trixie)-slim$`).test(stage.image)) problems.push(`base image ${stage.image} is not the Node ${nodeVersion} slim image (.node-version)`);
  }
  const final = stages.at(-1);
  if (!final) return problems;
  const of = (keyword) => final.instructions.filter((i) => i.keyword === keyword);
  const user = of('USER').at(-1)?.args;
  if (!user) problems.push('final stage has no USER');
  else if (/^(root|0)(:|$)/.test(user)) problems.push(`final stage runs as ${user}`);
  else if (!/^[1-9]\d*(:\d+)?$/.test(user)) problems.push(`final USER ${user} is not numeric (Kubernetes cannot verify runAsNonRoot)`);
  const checks = of('HEALTHCHECK');
  if (checks.length === 0) problems.push('final stage has no HEALTHCHECK');
  else if (healthcheck === 'required' && checks.at(-1).args === 'NONE') problems.push('HEALTHCHECK is NONE');
  const start = [...of('ENTRYPOINT'), ...of('CMD')];
  if (start.length === 0) problems.push('final stage has no CMD or ENTRYPOINT');
  for (const s of start) if (!s.args.startsWith('[')) problems.push(`${s.keyword} is not in exec form (node would not be PID 1 and miss SIGTERM)`);
  for (const copy of of('COPY').concat(of('ADD'))) {
    if (!/--from=/.test(copy.args)) problems.push(`final stage copies from the build context: ${copy.keyword} ${copy.args}`);
  }
  if (of('RUN').length > 0) problems.push('final stage runs commands (only what runs should be in it)');
  return problems;
}
