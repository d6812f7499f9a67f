// Locations inside the repository, resolved from this file.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The infra/ directory. */
export const infraDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The repository root. */
export const repoDir = resolve(infraDir, '..');
/** infra/k8s. */
export const k8sDir = join(infraDir, 'k8s');
/** infra/k8s/base/observability. */
export const observabilityDir = join(k8sDir, 'base', 'observability');
/** The three environments, each an overlay under infra/k8s/overlays. */
export const environments = ['development', 'staging', 'production'];
