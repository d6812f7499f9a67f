// What the Kubernetes workloads give the images to run: the API's environment, probes and
// shutdown timing, the loadgen Jobs' commands.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { k8sDir } from './paths.mjs';

/** The API ConfigMap of an overlay: base literals with the overlay's merged over them. */
export function configMapData(env) {
  const literals = (file) =>
    parse(readFileSync(file, 'utf8')).configMapGenerator.find((g) => g.name === 'globeco-portfolio-config').literals.map((l) => l.split(/=(.*)/s).slice(0, 2));
  return Object.fromEntries([...literals(join(k8sDir, 'base', 'kustomization.yaml')), ...literals(join(k8sDir, 'overlays', env, 'kustomization.yaml'))]);
}

/** The Deployment's pod spec and its API container (infra/k8s/base/api/deployment.yaml). */
export function apiPod() {
  const spec = parse(readFileSync(join(k8sDir, 'base', 'api', 'deployment.yaml'), 'utf8')).spec.template.spec;
  return { spec, container: spec.containers[0] };
}

/** The container of the loadgen Indexed Job (infra/k8s/loadgen/job.yaml). */
export function loadgenJobContainer() {
  return parse(readFileSync(join(k8sDir, 'loadgen', 'job.yaml'), 'utf8')).spec.template.spec.containers[0];
}

/** The container of the merge Job (infra/k8s/loadgen/merge/job.yaml). */
export function mergeJobContainer() {
  const [job] = parseAllDocuments(readFileSync(join(k8sDir, 'loadgen', 'merge', 'job.yaml'), 'utf8')).map((d) => d.toJS());
  return job.spec.template.spec.containers[0];
}

/**
 * Asks an API at `baseUrl` the Deployment's startup, liveness and readiness probe paths.
 * @returns {Promise<[string, number, string, string][]>} path, status, probe_type and service of each answer
 */
export async function askProbes(baseUrl) {
  const c = apiPod().container;
  const results = [];
  for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
    const response = await fetch(`${baseUrl}${probe.httpGet.path}`);
    const body = await response.json();
    results.push([probe.httpGet.path, response.status, body.probe_type, body.service]);
  }
  return results;
}
