// Renders kustomizations with `kubectl kustomize` from a scratch copy of infra/k8s in which every
// overlay's git-ignored secrets.env has been created from its committed secrets.env.example —
// exactly the step infra/README.md asks of a user.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { environments, k8sDir } from './paths.mjs';
import { run } from './tools.mjs';

/** The commented-out lines in each overlay that switch the custom-metrics component on. */
export const customMetricsSwitch = {
  off: '# components:\n#   - ../../components/custom-metrics',
  on: 'components:\n  - ../../components/custom-metrics',
};

/**
 * Parses a multi-document YAML stream into plain objects; throws on any YAML error.
 * @param {string} text
 * @param {string} source name used in error messages
 */
export function parseYamlStream(text, source) {
  return parseAllDocuments(text, { uniqueKeys: true })
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS({ maxAliasCount: 50 });
    })
    .filter((obj) => obj !== null && obj !== undefined);
}

/** Copies infra/k8s to a scratch directory and prepares it like a user would. */
export function createScratchTree() {
  const root = mkdtempSync(join(tmpdir(), 'globeco-k8s-'));
  const tree = join(root, 'k8s');
  cpSync(k8sDir, tree, { recursive: true, filter: (src) => !src.endsWith('secrets.env') });
  for (const env of environments) {
    const dir = join(tree, 'overlays', env);
    writeFileSync(join(dir, 'secrets.env'), readFileSync(join(dir, 'secrets.env.example')));
  }
  return { tree, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * Runs `kubectl kustomize <dir>` and returns the parsed objects; throws with kubectl's message.
 * @param {string} dir kustomization directory
 */
export function kustomize(dir) {
  if (!existsSync(join(dir, 'kustomization.yaml'))) throw new Error(`no kustomization.yaml in ${dir}`);
  const result = run('kubectl', ['kustomize', dir]);
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr}`);
  return { text: result.stdout, objects: parseYamlStream(result.stdout, dir) };
}

/**
 * Finds exactly one object of a kind (and name prefix) in a rendered set.
 * @param {object[]} objects
 * @param {string} kind
 * @param {string} [name] exact name, or a generated name's prefix ending in '-'
 */
export function findOne(objects, kind, name) {
  const matches = objects.filter(
    (o) => o.kind === kind && (name === undefined || o.metadata.name === name || (name.endsWith('-') && o.metadata.name.startsWith(name))),
  );
  if (matches.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${matches.length}`);
  return matches[0];
}
