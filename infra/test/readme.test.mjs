// Every command of infra/README.md's usage example and "Deploy to Kubernetes" section is checked
// as far as it can be without a cluster, a registry or Docker: files exist, kustomizations render,
// objects named in rollout/wait/get/logs/delete exist in the namespace used, image tags match the
// overlays, the git-ignored Secret file really is ignored. A command this test does not know fails
// it, so the README cannot drift from what is validated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { dockerfileProblems, lintDockerfile } from './lib/dockerfile.mjs';
import { infraDir, repoDir } from './lib/paths.mjs';
import { kustomize } from './lib/render.mjs';
import { createScratchTree } from './lib/render.mjs';
import { findKubectl, run } from './lib/tools.mjs';

const kubectl = findKubectl();
const readme = readFileSync(join(infraDir, 'README.md'), 'utf8');

/** Shell lines of the ```bash blocks of a README part (comments and blank lines dropped). */
export function bashLines(markdown) {
  return [...markdown.matchAll(/```bash\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
}

const usage = readme.slice(0, readme.indexOf('\n## '));
const deploySection = readme.split(/^## /m).find((s) => s.startsWith('Deploy to Kubernetes')) ?? '';
const commands = [...bashLines(usage), ...bashLines(deploySection)];

describe('infra/README.md', () => {
  it('has a "Deploy to Kubernetes" section with commands for every step', () => {
    expect(deploySection).not.toBe('');
    for (const step of ['docker build', 'docker push', 'cp ', 'kubectl apply -k', 'get hpa', 'create -k infra/k8s/loadgen', 'logs job/globeco-loadgen-merge']) {
      expect(commands.some((c) => c.includes(step)), step).toBe(true);
    }
  });
});

describe.skipIf(!kubectl.ok)('infra/README.md commands', () => {
  let scratch;
  const rendered = new Map(); // kustomization path (repo-relative) → objects
  const applied = new Map(); // namespace → objects applied there by the README so far
  const built = new Set();
  const tagged = new Set();

  beforeAll(() => {
    scratch = createScratchTree();
  });
  afterAll(() => scratch?.dispose());

  const renderPath = (path) => {
    if (!path.startsWith('infra/k8s/')) throw new Error(`kustomization outside infra/k8s: ${path}`);
    if (!rendered.has(path)) rendered.set(path, kustomize(join(scratch.tree, path.slice('infra/k8s/'.length))).objects);
    return rendered.get(path);
  };
  const kindAlias = { deployment: 'Deployment', statefulset: 'StatefulSet', job: 'Job', hpa: 'HorizontalPodAutoscaler', svc: 'Service' };
  const expectObject = (namespace, kind, name) => {
    const objects = applied.get(namespace) ?? [];
    const found = objects.some((o) => o.kind === kindAlias[kind] && o.metadata.name === name);
    expect(found, `${kind}/${name} is not applied to namespace ${namespace} by an earlier README command`).toBe(true);
  };
  const overlayTag = (image) => {
    const files = [join(infraDir, 'k8s/overlays/production/kustomization.yaml'), join(infraDir, 'k8s/loadgen/kustomization.yaml')];
    return files.map((f) => parse(readFileSync(f, 'utf8')).images.find((i) => i.name === image)?.newTag).find(Boolean);
  };

  /** Checks one command; returns a description of what was verified. */
  function check(line) {
    let m;
    if ((m = /^docker build -f (\S+) -t (\S+) \.$/.exec(line))) {
      const [, file, image] = m;
      const text = readFileSync(join(repoDir, file), 'utf8');
      expect([lintDockerfile(text), dockerfileProblems(text, { healthcheck: file.endsWith('loadgen.Dockerfile') ? 'none-allowed' : 'required' })]).toStrictEqual([[], []]);
      const [name, tag] = image.split(':');
      expect(name).toBe(file.endsWith('loadgen.Dockerfile') ? 'globeco/loadgen' : 'globeco/portfolio-api');
      expect(tag).toBe(overlayTag(name));
      built.add(image);
      return 'dockerfile valid, tag matches the kustomizations';
    }
    if ((m = /^docker tag (\S+) (\S+)$/.exec(line))) {
      expect(built.has(m[1]), `${m[1]} built earlier`).toBe(true);
      expect(m[2].endsWith(`/${m[1]}`)).toBe(true);
      tagged.add(m[2]);
      return 'retags a built image';
    }
    if ((m = /^docker push (\S+)$/.exec(line))) {
      expect(tagged.has(m[1]), `${m[1]} tagged earlier`).toBe(true);
      return 'pushes a tagged image';
    }
    if ((m = /^cp (\S+) (\S+)$/.exec(line))) {
      const [, from, to] = m;
      expect(existsSync(join(repoDir, from))).toBe(true);
      expect(to).toBe(from.replace(/\.example$/, ''));
      const ignored = run('git', ['check-ignore', '--no-index', '-q', to], { cwd: repoDir });
      expect(ignored.status, `${to} must be git-ignored`).toBe(0);
      return 'example exists, target git-ignored';
    }
    if (line === "openssl rand -base64 756 | tr -d '\\n'") {
      expect(Math.ceil(756 / 3) * 4).toBeLessThanOrEqual(1024); // mongod key files: 6..1024 base64 characters
      return 'key length within mongod limits';
    }
    if ((m = /^kubectl apply -k (\S+)$/.exec(line))) {
      const objects = renderPath(m[1]);
      const namespace = objects.find((o) => o.kind === 'Namespace')?.metadata.name;
      expect(namespace, `${m[1]} creates its namespace`).toBeDefined();
      applied.set(namespace, objects);
      return `renders, namespace ${namespace}`;
    }
    if ((m = /^kubectl -n (\S+) create -k (\S+)$/.exec(line))) {
      const objects = renderPath(m[2]);
      expect(objects.every((o) => o.metadata.namespace === undefined), 'objects take the -n namespace').toBe(true);
      expect(applied.has(m[1]), `namespace ${m[1]} created by an earlier apply`).toBe(true);
      applied.set(m[1], [...applied.get(m[1]), ...objects]);
      return 'renders, no namespace of its own';
    }
    if ((m = /^kubectl -n (\S+) rollout status (\w+)\/(\S+) --timeout=\d+m$/.exec(line))) {
      expectObject(m[1], m[2], m[3]);
      return 'object exists';
    }
    if ((m = /^kubectl -n (\S+) wait --for=condition=complete (job)\/(\S+) --timeout=\d+m$/.exec(line))) {
      expectObject(m[1], m[2], m[3]);
      return 'Job exists';
    }
    if ((m = /^kubectl -n (\S+) get (hpa) (\S+) --watch$/.exec(line))) {
      expectObject(m[1], m[2], m[3]);
      return 'HPA exists';
    }
    if ((m = /^kubectl -n (\S+) logs (job)\/(\S+) > \S+$/.exec(line))) {
      expectObject(m[1], m[2], m[3]);
      return 'Job exists';
    }
    if ((m = /^kubectl -n (\S+) delete (job) (.+)$/.exec(line))) {
      for (const name of m[3].split(' ')) expectObject(m[1], m[2], name);
      return 'Jobs exist';
    }
    if ((m = /^helm upgrade --install prometheus-adapter prometheus-community\/prometheus-adapter -n (\S+) -f (\S+)$/.exec(line))) {
      const values = parse(readFileSync(join(repoDir, m[2]), 'utf8'));
      expectObject(m[1], 'svc', 'globeco-prometheus');
      const svc = applied.get(m[1]).find((o) => o.kind === 'Service' && o.metadata.name === 'globeco-prometheus');
      expect([values.prometheus.url, values.prometheus.port]).toStrictEqual([`http://globeco-prometheus.${m[1]}.svc`, svc.spec.ports[0].port]);
      return 'values point at the namespace\'s Prometheus';
    }
    if ((m = /^kubectl get --raw "\/apis\/custom\.metrics\.k8s\.io\/v1beta1\/namespaces\/(\S+)\/pods\/\*\/(\S+)"$/.exec(line))) {
      const values = parse(readFileSync(join(infraDir, 'k8s/components/custom-metrics/prometheus-adapter-values.yaml'), 'utf8'));
      expect(values.rules.custom.map((r) => r.name.as)).toContain(m[2]);
      expect(applied.has(m[1])).toBe(true);
      return 'metric served by the adapter rules';
    }
    throw new Error(`README command not covered by the validation: ${line}`);
  }

  it('every command checks out, in order', () => {
    expect(commands.length).toBeGreaterThan(20);
    const results = commands.map((line) => [line, check(line)]);
    expect(results.filter(([, r]) => !r)).toStrictEqual([]);
  });

  it('rejects a command it does not know (the check has teeth)', () => {
    expect(() => check('kubectl apply -f somewhere.yaml')).toThrow('README command not covered by the validation');
  });
});
