// Policy checks on the rendered manifests of each environment: probes on the API's real health
// routes, resources, autoscaling, security, pinned images, shutdown timing, configuration sources.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPinnedImage } from './lib/images.mjs';
import { environments } from './lib/paths.mjs';
import { findOne } from './lib/render.mjs';
import { renderAll } from './lib/targets.mjs';
import { findKubectl } from './lib/tools.mjs';

const kubectl = findKubectl();

/** Every container (init containers included) of every workload in a rendered set. */
function containersOf(objects) {
  return objects.flatMap((o) => {
    const pod = o.kind === 'Pod' ? o.spec : o.spec?.template?.spec;
    if (!pod) return [];
    return [...(pod.initContainers ?? []), ...pod.containers].map((c) => ({ owner: `${o.kind}/${o.metadata.name}`, pod, container: c }));
  });
}

const apiEnvFromConfigMap = [
  'APP_ENV', 'PORT', 'MONGODB_DATABASE', 'LOG_LEVEL', 'ENABLE_METRICS', 'MAX_POOL_SIZE', 'MIN_POOL_SIZE',
  'MONGODB_WRITE_CONCERN', 'MONGODB_JOURNAL', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG', 'OTEL_METRIC_EXPORT_INTERVAL', 'SHUTDOWN_GRACE_MS',
].sort();

const expectedPerEnvironment = {
  development: { hpa: [1, 3], mongoMembers: 1, writeConcern: '1', appEnv: 'development', sampler: '1.0', pool: ['10', '50'] },
  staging: { hpa: [2, 6], mongoMembers: 3, writeConcern: 'majority', appEnv: 'staging', sampler: '0.5', pool: ['8', '30'] },
  production: { hpa: [3, 20], mongoMembers: 3, writeConcern: 'majority', appEnv: 'production', sampler: '0.1', pool: ['5', '20'] },
};

describe('image pinning rule', () => {
  it.each([
    ['node:26.12.1-bookworm-slim', true],
    ['mongo:8.0.4', true],
    ['registry.example.com:5000/globeco/portfolio-api:1.2.3', true],
    [`globeco/portfolio-api@sha256:${'a'.repeat(64)}`, true],
    ['mongo:latest', false],
    ['mongo', false],
    ['registry.example.com:5000/globeco/portfolio-api', false],
    ['node:lts', false],
    ['node:26-slim', false],
    ['prom/prometheus:v2.55.1', true],
  ])('%s pinned: %s', (image, pinned) => {
    expect(isPinnedImage(image)).toBe(pinned);
  });
});

describe.skipIf(!kubectl.ok)('rendered manifests follow the deployment policy', () => {
  let all;
  beforeAll(() => {
    all = renderAll();
  });
  afterAll(() => all?.dispose());

  describe.each(environments)('%s', (env) => {
    const objects = () => all.rendered.get(env).objects;
    const api = () => findOne(objects(), 'Deployment', 'globeco-portfolio-api');
    const apiContainer = () => api().spec.template.spec.containers.find((c) => c.name === 'api');
    const portNumber = (port) => (typeof port === 'number' ? port : apiContainer().ports.find((p) => p.name === port)?.containerPort);

    it('probes the API health routes with the required timings', () => {
      const c = apiContainer();
      const probe = (p) => ({ path: p.httpGet.path, port: portNumber(p.httpGet.port), periodSeconds: p.periodSeconds, timeoutSeconds: p.timeoutSeconds, failureThreshold: p.failureThreshold });
      expect({ startup: probe(c.startupProbe), liveness: probe(c.livenessProbe), readiness: probe(c.readinessProbe) }).toStrictEqual({
        startup: { path: '/health/startup', port: 8000, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 30 },
        liveness: { path: '/health/live', port: 8000, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
        readiness: { path: '/health/ready', port: 8000, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 2 },
      });
    });

    it('sets the API resources and rolls out without unavailability', () => {
      expect(apiContainer().resources).toStrictEqual({ requests: { cpu: '600m', memory: '400Mi' }, limits: { cpu: '1000m', memory: '800Mi' } });
      expect(api().spec.strategy).toStrictEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
      expect(api().spec.replicas).toBeUndefined(); // the HPA owns the replica count
    });

    it('gives every container requests and limits for cpu and memory', () => {
      const missing = containersOf(objects())
        .filter(({ container: c }) => !(c.resources?.requests?.cpu && c.resources?.requests?.memory && c.resources?.limits?.cpu && c.resources?.limits?.memory))
        .map(({ owner, container }) => `${owner}/${container.name}`);
      expect(missing).toStrictEqual([]);
    });

    it('autoscales the API on CPU 70 % and memory 80 % with explicit behaviour', () => {
      const hpa = findOne(objects(), 'HorizontalPodAutoscaler', 'globeco-portfolio-api');
      const [min, max] = expectedPerEnvironment[env].hpa;
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.scaleTargetRef).toStrictEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'globeco-portfolio-api' });
      expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toStrictEqual([min, max]);
      expect(hpa.spec.metrics).toStrictEqual([
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
      ]);
      for (const direction of ['scaleUp', 'scaleDown']) {
        const b = hpa.spec.behavior[direction];
        expect(typeof b.stabilizationWindowSeconds).toBe('number');
        expect(b.policies.length).toBeGreaterThan(0);
      }
      expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBeGreaterThan(hpa.spec.behavior.scaleUp.stabilizationWindowSeconds);
    });

    it('has a disruption budget that selects the API pods', () => {
      const pdb = findOne(objects(), 'PodDisruptionBudget', 'globeco-portfolio-api');
      expect(pdb.spec).toStrictEqual({ maxUnavailable: 1, selector: { matchLabels: api().spec.selector.matchLabels } });
      expect(api().spec.template.metadata.labels).toMatchObject(api().spec.selector.matchLabels);
    });

    it('exposes the API on a ClusterIP Service, port 8000, selecting its pods', () => {
      const svc = findOne(objects(), 'Service', 'globeco-portfolio-api');
      expect(svc.spec).toStrictEqual({ type: 'ClusterIP', selector: api().spec.selector.matchLabels, ports: [{ name: 'http', port: 8000, targetPort: 'http', protocol: 'TCP' }] });
    });

    it('runs every pod as non-root with a locked-down security context', () => {
      const violations = [];
      for (const { owner, pod, container: c } of containersOf(objects())) {
        const id = `${owner}/${c.name}`;
        if (pod.securityContext?.runAsNonRoot !== true && c.securityContext?.runAsNonRoot !== true) violations.push(`${id}: runAsNonRoot`);
        if ((c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser ?? 0) === 0) violations.push(`${id}: runAsUser`);
        if (c.securityContext?.allowPrivilegeEscalation !== false) violations.push(`${id}: allowPrivilegeEscalation`);
        if (c.securityContext?.readOnlyRootFilesystem !== true) violations.push(`${id}: readOnlyRootFilesystem`);
        if (JSON.stringify(c.securityContext?.capabilities?.drop) !== '["ALL"]') violations.push(`${id}: capabilities.drop`);
        if ((c.securityContext?.seccompProfile ?? pod.securityContext?.seccompProfile)?.type !== 'RuntimeDefault') violations.push(`${id}: seccompProfile`);
      }
      expect(violations).toStrictEqual([]);
    });

    it('pins every image tag (no latest, no floating tags)', () => {
      const images = containersOf(objects()).map(({ container }) => container.image);
      expect(images.filter((image) => !isPinnedImage(image))).toStrictEqual([]);
      expect(apiContainer().image).toBe('globeco/portfolio-api:0.1.0');
    });

    it('keeps terminationGracePeriodSeconds above preStop sleep + the app drain time', () => {
      const config = findOne(objects(), 'ConfigMap', 'globeco-portfolio-config-').data;
      const preStop = apiContainer().lifecycle.preStop.exec.command;
      expect(preStop.slice(0, 1)).toStrictEqual(['sleep']);
      const sleepSeconds = Number(preStop[1]);
      const drainSeconds = Number(config.SHUTDOWN_GRACE_MS) / 1000;
      expect({ sleepSeconds, drainSeconds }).toStrictEqual({ sleepSeconds: 5, drainSeconds: 20 });
      const grace = api().spec.template.spec.terminationGracePeriodSeconds;
      expect(grace).toBeGreaterThanOrEqual(sleepSeconds + drainSeconds + 5);
    });

    it('configures the API from the ConfigMap, MONGODB_URI from the Secret and pod facts from the downward API', () => {
      const c = apiContainer();
      const configMap = findOne(objects(), 'ConfigMap', 'globeco-portfolio-config-');
      const secret = findOne(objects(), 'Secret', 'globeco-portfolio-secrets-');
      expect(c.envFrom).toStrictEqual([{ configMapRef: { name: configMap.metadata.name } }]);
      expect(Object.keys(configMap.data).sort()).toStrictEqual(apiEnvFromConfigMap);
      const env = Object.fromEntries(c.env.map((e) => [e.name, e.value ?? e.valueFrom]));
      expect(env).toStrictEqual({
        MONGODB_URI: { secretKeyRef: { name: secret.metadata.name, key: 'MONGODB_URI' } },
        NODE_IP: { fieldRef: { fieldPath: 'status.hostIP' } },
        MY_NODE_NAME: { fieldRef: { fieldPath: 'spec.nodeName' } },
        MY_POD_NAME: { fieldRef: { fieldPath: 'metadata.name' } },
        MY_POD_IP: { fieldRef: { fieldPath: 'status.podIP' } },
        SERVICE_NAMESPACE: { fieldRef: { fieldPath: 'metadata.namespace' } },
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://$(NODE_IP):4317',
      });
      // $(NODE_IP) only expands when NODE_IP is declared earlier in the list.
      expect(c.env.findIndex((e) => e.name === 'NODE_IP')).toBeLessThan(c.env.findIndex((e) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT'));
      // Secret keys are base64 of the committed example: never a real credential in the repo.
      const uri = Buffer.from(secret.data.MONGODB_URI.replace(/\s/g, ''), 'base64').toString('utf8');
      expect(uri).toContain('CHANGE_ME');
    });

    it('sets environment-specific configuration', () => {
      const data = findOne(objects(), 'ConfigMap', 'globeco-portfolio-config-').data;
      const e = expectedPerEnvironment[env];
      expect([data.APP_ENV, data.MONGODB_WRITE_CONCERN, data.OTEL_TRACES_SAMPLER_ARG, data.MIN_POOL_SIZE, data.MAX_POOL_SIZE]).toStrictEqual([
        e.appEnv, e.writeConcern, e.sampler, ...e.pool,
      ]);
    });

    it('sizes the MongoDB replica set consistently: StatefulSet, init Job and example URI', () => {
      const members = expectedPerEnvironment[env].mongoMembers;
      const sts = findOne(objects(), 'StatefulSet', 'globeco-portfolio-mongodb');
      const job = findOne(objects(), 'Job', 'globeco-portfolio-mongodb-init');
      const jobEnv = Object.fromEntries(job.spec.template.spec.containers[0].env.map((e) => [e.name, e.value]));
      const secret = findOne(objects(), 'Secret', 'globeco-portfolio-secrets-');
      const uri = Buffer.from(secret.data.MONGODB_URI.replace(/\s/g, ''), 'base64').toString('utf8');
      const hosts = /^mongodb:\/\/[^@]+@([^/]+)\//.exec(uri)[1].split(',');
      expect({ replicas: sts.spec.replicas, job: jobEnv.MONGO_REPLICAS, set: jobEnv.MONGO_REPLICA_SET, hosts }).toStrictEqual({
        replicas: members,
        job: String(members),
        set: 'rs0',
        hosts: Array.from({ length: members }, (_, i) => `globeco-portfolio-mongodb-${i}.globeco-portfolio-mongodb:27017`),
      });
      expect(uri).toMatch(/[?&]replicaSet=rs0(&|$)/);
      expect(sts.spec.template.spec.containers[0].args.slice(0, 2)).toStrictEqual(['--replSet', 'rs0']);
      const headless = findOne(objects(), 'Service', sts.spec.serviceName);
      expect(headless.spec.clusterIP).toBe('None');
      expect(sts.spec.volumeClaimTemplates.map((t) => t.metadata.name)).toStrictEqual(['data']);
    });

    it('resolves every ConfigMap, Secret and ServiceAccount a workload references (generated names included)', () => {
      const names = (kind) => new Set(objects().filter((o) => o.kind === kind).map((o) => o.metadata.name));
      const existing = { ConfigMap: names('ConfigMap'), Secret: names('Secret'), ServiceAccount: names('ServiceAccount') };
      const refs = [];
      for (const o of objects()) {
        const pod = o.spec?.template?.spec;
        if (!pod) continue;
        if (pod.serviceAccountName) refs.push(['ServiceAccount', pod.serviceAccountName]);
        for (const v of pod.volumes ?? []) {
          if (v.configMap) refs.push(['ConfigMap', v.configMap.name]);
          if (v.secret) refs.push(['Secret', v.secret.secretName]);
        }
        for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
          for (const e of c.envFrom ?? []) refs.push(e.configMapRef ? ['ConfigMap', e.configMapRef.name] : ['Secret', e.secretRef.name]);
          for (const e of c.env ?? []) {
            if (e.valueFrom?.configMapKeyRef) refs.push(['ConfigMap', e.valueFrom.configMapKeyRef.name]);
            if (e.valueFrom?.secretKeyRef) refs.push(['Secret', e.valueFrom.secretKeyRef.name]);
          }
        }
      }
      expect(refs.length).toBeGreaterThan(10);
      expect(refs.filter(([kind, name]) => !existing[kind].has(name))).toStrictEqual([]);
    });

    it('sends OTLP to a collector DaemonSet listening on the node ports the API targets', () => {
      const ds = findOne(objects(), 'DaemonSet', 'globeco-otel-collector');
      const ports = ds.spec.template.spec.containers[0].ports.filter((p) => p.hostPort).map((p) => [p.containerPort, p.hostPort]);
      expect(ports).toStrictEqual([[4317, 4317], [4318, 4318]]);
    });
  });

  it('adds requests in flight and p95 duration to the HPA when the custom-metrics component is on', () => {
    const hpa = findOne(all.rendered.get('production+custom-metrics').objects, 'HorizontalPodAutoscaler', 'globeco-portfolio-api');
    expect(hpa.spec.metrics.slice(2)).toStrictEqual([
      { type: 'Pods', pods: { metric: { name: 'http_requests_in_flight' }, target: { type: 'AverageValue', averageValue: '20' } } },
      { type: 'Pods', pods: { metric: { name: 'http_request_duration_p95_milliseconds' }, target: { type: 'AverageValue', averageValue: '250' } } },
    ]);
    expect(hpa.spec.metrics.slice(0, 2).map((m) => m.resource.name)).toStrictEqual(['cpu', 'memory']);
  });

  it('runs the loadgen as an Indexed Job with completions = parallelism = SHARDS, writing to the shared volume', () => {
    const job = findOne(all.rendered.get('loadgen').objects, 'Job', 'globeco-loadgen');
    const c = job.spec.template.spec.containers[0];
    const env = Object.fromEntries(c.env.map((e) => [e.name, e.value ?? e.valueFrom]));
    expect({ mode: job.spec.completionMode, completions: job.spec.completions, parallelism: job.spec.parallelism }).toStrictEqual({
      mode: 'Indexed', completions: Number(env.SHARDS), parallelism: Number(env.SHARDS),
    });
    expect(c.command).toStrictEqual(['sh', '-c']);
    const script = c.args[0];
    for (const part of ['/app/dist/bin.js "$TARGET_URL"', '--rate "$RATE"', '--duration "$DURATION"', '--shard "$JOB_COMPLETION_INDEX/$SHARDS"', '--json "/reports/report-$JOB_COMPLETION_INDEX.json"']) {
      expect(script).toContain(part);
    }
    // The target is the API Service of the namespace the Job is created in.
    const svc = findOne(all.rendered.get('production').objects, 'Service', 'globeco-portfolio-api');
    expect(env.TARGET_URL).toBe(`http://${svc.metadata.name}:${svc.spec.ports[0].port}`);
    expect(env.JOB_COMPLETION_INDEX).toStrictEqual({ fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } });
    expect(c.image).toBe('globeco/loadgen:0.1.0');
    const merge = findOne(all.rendered.get('loadgen/merge').objects, 'Job', 'globeco-loadgen-merge');
    const claim = (j) => j.spec.template.spec.volumes.find((v) => v.name === 'reports').persistentVolumeClaim.claimName;
    expect([claim(job), claim(merge)]).toStrictEqual(['globeco-loadgen-reports', 'globeco-loadgen-reports']);
    expect(merge.spec.template.spec.containers[0].args[0]).toMatch(/bin\.js merge \/reports\/report-\*\.json --html \/reports\/report\.html/);
  });
});
