// Every rendered object is valid against the Kubernetes API schemas, unknown fields included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAll, validateObject } from './lib/k8s-schema.mjs';
import { renderAll } from './lib/targets.mjs';
import { findKubectl } from './lib/tools.mjs';

const kubectl = findKubectl();

const probeDeployment = (probe) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'x', labels: { a: 'b' } },
  spec: {
    selector: { matchLabels: { a: 'b' } },
    template: {
      metadata: { labels: { a: 'b' } },
      spec: { containers: [{ name: 'c', image: 'i:1', livenessProbe: probe, resources: { limits: { cpu: '1' } } }] },
    },
  },
});

describe('Kubernetes schema validation', () => {
  it('accepts a valid object, maps included', async () => {
    expect(await validateObject(probeDeployment({ httpGet: { path: '/health/live', port: 8000 }, periodSeconds: 10 }))).toStrictEqual([]);
  });

  it('rejects a misspelt field (periodSecondz)', async () => {
    expect(await validateObject(probeDeployment({ httpGet: { path: '/health/live', port: 8000 }, periodSecondz: 10 }))).toStrictEqual([
      '/spec/template/spec/containers/0/livenessProbe/periodSecondz: unknown field "periodSecondz"',
    ]);
  });

  it('rejects a wrongly typed field', async () => {
    expect(await validateObject(probeDeployment({ httpGet: { path: '/health/live', port: 8000 }, periodSeconds: 'ten' }))).toStrictEqual([
      'data/spec/template/spec/containers/0/livenessProbe/periodSeconds must be integer',
    ]);
  });

  it('rejects a missing required field and an unknown kind', async () => {
    expect(await validateObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ name: 'p' }] } })).toStrictEqual([
      'data/spec/ports/0 must have required property port',
    ]);
    expect(await validateObject({ apiVersion: 'apps/v1', kind: 'Deploymint', metadata: { name: 'd' } })).toStrictEqual(['unknown kind Deploymint in apps/v1']);
  });
});

describe.skipIf(!kubectl.ok)('rendered manifests', () => {
  let all;
  beforeAll(() => {
    all = renderAll();
  });
  afterAll(() => all?.dispose());

  it('are valid Kubernetes objects with no unknown fields, in every kustomization', async () => {
    const problems = [];
    for (const [name, { objects }] of all.rendered) {
      for (const line of await validateAll(objects)) problems.push(`${name}: ${line}`);
    }
    expect(problems).toStrictEqual([]);
  });
});
