/** The parts of a V8 `.cpuprofile` (as written by `node --cpu-prof`) that the summary reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly hitCount?: number;
  }[];
  readonly startTime: number;
  readonly endTime: number;
  /** Node id of each sample, in time order. */
  readonly samples?: readonly number[];
  /** µs from the previous sample (the first from startTime). */
  readonly timeDeltas?: readonly number[];
}

/** A time window on the monotonic clock, µs (`process.hrtime.bigint() / 1000n` and V8's profile clock agree on Linux). */
export interface ProfileWindow {
  readonly startUs: number;
  readonly endUs: number;
}

/** Samples per node id, counting only samples inside `window` (or every node's hitCount without one). */
function hitsByNode(profile: CpuProfile, window?: ProfileWindow): { hits: Map<number, number>; wallMs: number } {
  const hits = new Map<number, number>();
  if (window === undefined || profile.samples === undefined || profile.timeDeltas === undefined) {
    for (const node of profile.nodes) hits.set(node.id, node.hitCount ?? 0);
    return { hits, wallMs: (profile.endTime - profile.startTime) / 1000 };
  }
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < window.startUs || t > window.endUs) continue;
    const id = profile.samples[i]!;
    hits.set(id, (hits.get(id) ?? 0) + 1);
  }
  const start = Math.max(window.startUs, profile.startTime);
  const end = Math.min(window.endUs, profile.endTime);
  return { hits, wallMs: Math.max(0, end - start) / 1000 };
}

/** Share of busy (non-idle) CPU samples. */
export interface ProfileShare {
  readonly name: string;
  /** Percent of busy samples spent in it (self time). */
  readonly selfPct: number;
  /** Self time, ms. */
  readonly selfMs: number;
}

/** Where a profile's CPU time went, by code area and by function (self time). */
export interface ProfileSummary {
  /** Profiled wall time, ms. */
  readonly wallMs: number;
  /** Busy (non-idle) time, ms. */
  readonly busyMs: number;
  readonly byArea: readonly ProfileShare[];
  readonly topFunctions: readonly ProfileShare[];
}

/**
 * The code area a script URL belongs to: the npm package (`mongodb`, `@opentelemetry/sdk-trace-base`),
 * the workspace package, `node:<module>` for Node's own JavaScript, or V8's pseudo-frames.
 */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const at = url.lastIndexOf('node_modules/');
  if (at >= 0) {
    const parts = url.slice(at + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]!}/${parts[1] ?? ''}` : parts[0]!;
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[1] ?? url.slice(5)}`;
  const workspace = /\/(apps|packages)\/([^/]+)\//.exec(url);
  if (workspace !== null) return `${workspace[1]!}/${workspace[2]!}`;
  return url.split('/').slice(-2).join('/');
}

function top(map: Map<string, number>, busy: number, msPerSample: number, n: number): ProfileShare[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, samples]) => ({
      name,
      selfPct: Math.round((samples / busy) * 1000) / 10,
      selfMs: Math.round(samples * msPerSample * 10) / 10,
    }));
}

/**
 * Summarises a CPU profile by self time: the top code areas and the top functions (with file and line),
 * as shares of busy samples (idle excluded, garbage collection included).
 * @param limit how many areas and functions to list
 * @param window only samples inside it count (e.g. the load phase, leaving start-up out)
 */
export function summarizeCpuProfile(profile: CpuProfile, limit = 15, window?: ProfileWindow): ProfileSummary {
  const { hits: hitMap, wallMs } = hitsByNode(profile, window);
  let total = 0;
  for (const n of hitMap.values()) total += n;
  const msPerSample = total > 0 ? wallMs / total : 0;
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let idle = 0;
  for (const node of profile.nodes) {
    const hits = hitMap.get(node.id) ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += hits;
      continue;
    }
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + hits);
    const where = url === '' ? '' : ` ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(apps|packages)\//, '$1/')}:${lineNumber + 1}`;
    const key = `${functionName === '' ? '(anonymous)' : functionName}${where}`;
    functions.set(key, (functions.get(key) ?? 0) + hits);
  }
  const busy = total - idle;
  return {
    wallMs: Math.round(wallMs * 10) / 10,
    busyMs: Math.round(busy * msPerSample * 10) / 10,
    byArea: busy > 0 ? top(areas, busy, msPerSample, limit) : [],
    topFunctions: busy > 0 ? top(functions, busy, msPerSample, limit) : [],
  };
}
