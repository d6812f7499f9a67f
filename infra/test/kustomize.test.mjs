// `kubectl kustomize` renders every kustomization, and each holds exactly the expected objects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { kustomize } from './lib/render.mjs';
import { renderAll } from './lib/targets.mjs';
import { findKubectl } from './lib/tools.mjs';

const kubectl = findKubectl();

const appObjects = [
  'ConfigMap/globeco-grafana-dashboards',
  'ConfigMap/globeco-otel-collector-config',
  'ConfigMap/globeco-portfolio-config',
  'ConfigMap/globeco-portfolio-mongodb-scripts',
  'ConfigMap/globeco-prometheus-config',
  'DaemonSet/globeco-otel-collector',
  'Deployment/globeco-portfolio-api',
  'Deployment/globeco-prometheus',
  'HorizontalPodAutoscaler/globeco-portfolio-api',
  'Job/globeco-portfolio-mongodb-init',
  'PodDisruptionBudget/globeco-portfolio-api',
  'PodDisruptionBudget/globeco-portfolio-mongodb',
  'Role/globeco-prometheus',
  'RoleBinding/globeco-prometheus',
  'Service/globeco-portfolio-api',
  'Service/globeco-portfolio-mongodb',
  'Service/globeco-prometheus',
  'ServiceAccount/globeco-portfolio-api',
  'ServiceAccount/globeco-prometheus',
  'StatefulSet/globeco-portfolio-mongodb',
];

/** kind/name, sorted, with the content hash that kustomize appends to generated names removed. */
const inventory = (objects) =>
  objects
    .map((o) => `${o.kind}/${['ConfigMap', 'Secret'].includes(o.kind) ? o.metadata.name.replace(/-[a-z0-9]{10}$/, '') : o.metadata.name}`)
    .sort();

describe.skipIf(!kubectl.ok)(`kubectl kustomize (${kubectl.version || kubectl.reason})`, () => {
  let all;
  beforeAll(() => {
    all = renderAll();
  });
  afterAll(() => all?.dispose());

  it('renders base with every application object and no Secret (overlays generate it)', () => {
    expect(inventory(all.rendered.get('base').objects)).toStrictEqual(appObjects);
  });

  it.each([
    ['development', 'globeco-dev'],
    ['staging', 'globeco-staging'],
    ['production', 'globeco'],
  ])('renders the %s overlay: base objects, its Namespace %s and the generated Secret, all in that namespace', (env, namespace) => {
    const { objects } = all.rendered.get(env);
    expect(inventory(objects)).toStrictEqual([...appObjects, `Namespace/${namespace}`, 'Secret/globeco-portfolio-secrets'].sort());
    const namespaced = objects.filter((o) => o.kind !== 'Namespace');
    expect(namespaced.map((o) => o.metadata.namespace)).toStrictEqual(namespaced.map(() => namespace));
  });

  it('renders production with the custom-metrics component switched on: same objects', () => {
    expect(inventory(all.rendered.get('production+custom-metrics').objects)).toStrictEqual(inventory(all.rendered.get('production').objects));
  });

  it('renders the loadgen Job with its reports volume, and the merge Job', () => {
    expect(inventory(all.rendered.get('loadgen').objects)).toStrictEqual(['Job/globeco-loadgen', 'PersistentVolumeClaim/globeco-loadgen-reports']);
    expect(inventory(all.rendered.get('loadgen/merge').objects)).toStrictEqual(['Job/globeco-loadgen-merge']);
  });

  it('fails with kubectl\'s message when a kustomization is broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'globeco-broken-'));
    try {
      mkdirSync(join(dir, 'k'));
      writeFileSync(join(dir, 'k', 'kustomization.yaml'), 'resources:\n  - missing.yaml\n');
      expect(() => kustomize(join(dir, 'k'))).toThrow(/kubectl kustomize .* failed:[\s\S]*missing\.yaml/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
