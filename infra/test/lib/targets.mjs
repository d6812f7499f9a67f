// Every kustomization the project ships, rendered once from a scratch tree.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { environments } from './paths.mjs';
import { createScratchTree, customMetricsSwitch, kustomize } from './render.mjs';

/**
 * Renders base, each overlay, production with the custom-metrics component switched on (by
 * uncommenting the lines its kustomization documents), and the two loadgen kustomizations.
 * @returns {{ rendered: Map<string, { text: string, objects: object[] }>, dispose: () => void }}
 */
export function renderAll() {
  const { tree, dispose } = createScratchTree();
  try {
    const rendered = new Map();
    rendered.set('base', kustomize(join(tree, 'base')));
    for (const env of environments) rendered.set(env, kustomize(join(tree, 'overlays', env)));
    const prod = join(tree, 'overlays', 'production', 'kustomization.yaml');
    const text = readFileSync(prod, 'utf8');
    if (!text.includes(customMetricsSwitch.off)) throw new Error('overlays/production/kustomization.yaml lost its commented custom-metrics switch');
    writeFileSync(prod, text.replace(customMetricsSwitch.off, customMetricsSwitch.on));
    rendered.set('production+custom-metrics', kustomize(join(tree, 'overlays', 'production')));
    rendered.set('loadgen', kustomize(join(tree, 'loadgen')));
    rendered.set('loadgen/merge', kustomize(join(tree, 'loadgen', 'merge')));
    return { rendered, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}
