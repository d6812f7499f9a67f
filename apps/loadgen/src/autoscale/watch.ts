import { request } from 'undici';
import type { Options } from '../cli/args.js';
import type { IntervalRow } from '../report/types.js';
import { parsePrometheusText } from './prometheus-text.js';
import type { PromSample } from './prometheus-text.js';

type Sample = NonNullable<IntervalRow['service']>;

/** Polls the service's /metrics and Prometheus once per interval during a run. */
export interface ServiceWatcher {
  readonly sources: string[];
  start(onSample: (intervalIndex: number, sample: Sample) => void): void;
  stop(): Promise<void>;
}

async function getText(url: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const res = await request(url, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    const text = await res.body.text();
    return res.statusCode === 200 ? text : undefined;
  } catch {
    return undefined;
  }
}

async function promQuery(base: string, query: string, timeoutMs: number): Promise<number | undefined> {
  const text = await getText(`${base}/api/v1/query?query=${encodeURIComponent(query)}`, timeoutMs);
  if (text === undefined) return undefined;
  try {
    const body = JSON.parse(text) as { data?: { result?: Array<{ value?: [number, string] }> } };
    const v = body.data?.result?.[0]?.value?.[1];
    return v === undefined ? undefined : Number(v);
  } catch {
    return undefined;
  }
}

/** In-flight metric families, preferred first (the service's own, then OpenTelemetry's semantic name). */
export const IN_FLIGHT_METRICS = ['http_requests_in_flight', 'http_server_active_requests'] as const;
/** Event-loop utilisation families, preferred first (the one the service exposes, then the name older versions used). */
export const ELU_METRICS = ['nodejs_eventloop_utilization', 'event_loop_utilization'] as const;

/** The samples of the first family in `names` that is present (never several families added up). */
function firstFamily(samples: readonly PromSample[], names: readonly string[]): PromSample[] {
  for (const name of names) {
    const found = samples.filter((s) => s.name === name);
    if (found.length > 0) return found;
  }
  return [];
}

/**
 * Reads what the watcher samples from a service's `/metrics`: in-flight requests (the sum over the
 * label sets of one family) and event-loop utilisation (the busiest series of one family, kept only
 * when it lies in 0..1). Families that report the same quantity under two names are never added.
 */
export function readServiceMetrics(samples: readonly PromSample[]): Pick<Sample, 'inFlight' | 'eventLoopUtilization'> {
  const out: Pick<Sample, 'inFlight' | 'eventLoopUtilization'> = {};
  const inFlight = firstFamily(samples, IN_FLIGHT_METRICS);
  if (inFlight.length > 0) out.inFlight = inFlight.reduce((n, s) => n + s.value, 0);
  const elu = Math.max(...firstFamily(samples, ELU_METRICS).map((s) => s.value));
  if (elu >= 0 && elu <= 1) out.eventLoopUtilization = elu;
  return out;
}

/**
 * Creates a watcher when `--metrics-url` or `--prometheus` is given: in-flight requests and
 * event-loop utilisation from the service, replicas (kube-state-metrics) and pod CPU (cores, from
 * cAdvisor) from Prometheus. Failed polls are skipped silently; the run never depends on them.
 */
export function createServiceWatcher(options: Pick<Options, 'metricsUrl' | 'prometheusUrl' | 'deployment' | 'namespace' | 'intervalMs'>, startAt: number): ServiceWatcher | undefined {
  const { metricsUrl, prometheusUrl, deployment, namespace, intervalMs } = options;
  if (metricsUrl === undefined && prometheusUrl === undefined) return undefined;
  const sources = [metricsUrl, prometheusUrl].filter((s): s is string => s !== undefined);
  let timer: NodeJS.Timeout | undefined;
  const pending = new Set<Promise<void>>();
  const poll = async (onSample: (i: number, s: Sample) => void): Promise<void> => {
    const index = Math.floor((Date.now() - startAt) / intervalMs);
    if (index < 0) return;
    const sample: Sample = {};
    if (metricsUrl !== undefined) {
      const text = await getText(metricsUrl, 2 * intervalMs);
      if (text !== undefined) Object.assign(sample, readServiceMetrics(parsePrometheusText(text)));
    }
    if (prometheusUrl !== undefined) {
      const [replicas, cpu] = await Promise.all([
        promQuery(prometheusUrl, `sum(kube_deployment_status_replicas{namespace="${namespace}",deployment="${deployment}"})`, 2 * intervalMs),
        promQuery(prometheusUrl, `sum(rate(container_cpu_usage_seconds_total{namespace="${namespace}",pod=~"${deployment}-.*",container!=""}[1m]))`, 2 * intervalMs),
      ]);
      if (replicas !== undefined && Number.isFinite(replicas)) sample.replicas = replicas;
      if (cpu !== undefined && Number.isFinite(cpu)) sample.podCpu = Math.round(cpu * 1000) / 1000;
    }
    if (Object.keys(sample).length > 0) onSample(index, sample);
  };
  return {
    sources,
    start(onSample) {
      const tick = (): void => {
        const p = poll(onSample).finally(() => pending.delete(p));
        pending.add(p);
      };
      tick();
      timer = setInterval(tick, intervalMs);
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      await Promise.all(pending);
    },
  };
}
