import type { BenchResults, MixRecord, ScenarioRatios } from './results.js';
import type { RatioSummary } from './stats.js';

function ratioCell(r: RatioSummary): string {
  if (r.rounds === 0) return 'n/a';
  const verdict = r.met === undefined ? '' : r.met ? ' ✅' : ' ❌';
  return `${r.median.toFixed(2)} (${r.min.toFixed(2)}–${r.max.toFixed(2)})${verdict}`;
}

function fmt(n: number | undefined, digits = 1): string {
  return n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits);
}

function mb(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / 1024 / 1024).toFixed(1) : 'n/a';
}

type ProfileEntry = BenchResults['profiles'][string];

/** Per-request self time by area of `a` minus that of `b`, largest differences first (µs per request). */
export function areaDiff(a: ProfileEntry, b: ProfileEntry): { name: string; us: number }[] {
  const perRequest = (p: ProfileEntry): Map<string, number> => new Map(p.byArea.map((x) => [x.name, (x.selfMs * 1000) / Math.max(1, p.requests)]));
  const left = perRequest(a);
  const right = perRequest(b);
  const names = new Set([...left.keys(), ...right.keys()]);
  return [...names]
    .map((name) => ({ name, us: Math.round((left.get(name) ?? 0) - (right.get(name) ?? 0)) }))
    .sort((x, y) => Math.abs(y.us) - Math.abs(x.us));
}

/** Renders the results as the markdown summary written next to latest.json. */
export function renderMarkdown(r: BenchResults): string {
  const lines: string[] = [];
  const scenarios: [string, ScenarioRatios][] = [
    ['GET /api/v1/portfolio/{id}', r.ratios.getById],
    ['POST /api/v1/portfolios', r.ratios.create],
    ['GET /api/v2/portfolios?name_like=', r.ratios.search],
  ];
  lines.push(`# Benchmark results (${r.mode}${r.mode === 'quick' ? ': validation run, figures indicative only' : ''})`, '');
  lines.push(`- Started ${r.startedAt}, Node ${r.node}, ${r.machine.cpus} × ${r.machine.cpuModel}, load average at start ${r.machine.loadAverageStart.join(' / ')}, at end ${r.machine.loadAverageEnd.join(' / ')}`);
  lines.push(`- MongoDB backend: **${r.backend.name}** (${r.backend.topology}) — ${r.backend.meaning}`);
  lines.push(`- Placement: ${r.machine.placement}`);
  lines.push(`- ${String(r.settings.rounds)} interleaved rounds × ${String(r.settings.slotSeconds)} s slots, ${String(r.settings.connections)} connections / loops; ratios are the median of per-round ratios (range in brackets)`, '');
  lines.push('## Overhead ratios (goal ≥ 0.95 where marked)', '');
  lines.push('| scenario | service ÷ bare Koa | service ÷ raw driver | telemetry on ÷ off |', '|---|---|---|---|');
  for (const [name, s] of scenarios) lines.push(`| ${name} | ${ratioCell(s.vsBareKoa)} | ${ratioCell(s.vsRawDriver)} | ${ratioCell(s.telemetryOnVsOff)} |`);
  lines.push('', 'The same by CPU time per operation of the process under test (reference µs/op ÷ service µs/op; valid whichever side saturated):', '');
  lines.push('| scenario | service ÷ bare Koa | service ÷ raw driver | telemetry on ÷ off |', '|---|---|---|---|');
  for (const [name, s] of scenarios) lines.push(`| ${name} | ${ratioCell(s.cpu.vsBareKoa)} | ${ratioCell(s.cpu.vsRawDriver)} | ${ratioCell(s.cpu.telemetryOnVsOff)} |`);
  if (scenarios.some(([, s]) => s.baselineCpuTelemetryOnVsOff !== undefined)) {
    lines.push('', `Telemetry on ÷ off by CPU, the baseline build (\`--baseline\`, ${String(r.settings.baselineMain)}) beside this one, same rounds:`, '');
    lines.push('| scenario | baseline | this build |', '|---|---|---|');
    for (const [name, s] of scenarios) lines.push(`| ${name} | ${s.baselineCpuTelemetryOnVsOff === undefined ? 'n/a' : ratioCell(s.baselineCpuTelemetryOnVsOff)} | ${ratioCell(s.cpu.telemetryOnVsOff)} |`);
  }
  const shares = r.runs.filter((x) => x.serverCpuShare !== undefined && x.round >= 0 && ['getById', 'create', 'search'].includes(x.scenario));
  if (shares.length > 0) {
    const med = (values: number[]): string => fmt([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)], 2);
    lines.push('', `CPU use during the slots (median, cores): process under test ${med(shares.map((x) => x.serverCpuShare!))}, client side ${med(shares.map((x) => x.clientCpuShare ?? Number.NaN))}. A process under test well below 1 means the slot was bounded by the client core or the machine, and the throughput ratios understate differences; the CPU ratios do not.`);
  }
  lines.push('', '## Throughput (median of rounds; operations or documents per second)', '');
  lines.push('| scenario | service | telemetry off | bare Koa | raw driver |', '|---|---|---|---|---|');
  for (const key of ['getById', 'create', 'search']) {
    const m = r.medians[key] ?? {};
    lines.push(`| ${key} | ${fmt(m.service, 0)} | ${fmt(m.serviceTelemetryOff, 0)} | ${fmt(m.bareKoa, 0)} | ${fmt(m.rawDriver, 0)} |`);
  }
  lines.push('', 'CPU µs per operation of the process under test (median of rounds):', '');
  lines.push('| scenario | service | telemetry off | bare Koa | raw driver |', '|---|---|---|---|---|');
  for (const key of ['getById', 'create', 'search']) {
    const cpu = (variant: string): string => {
      const values = r.runs.filter((x) => x.scenario === key && x.variant === variant && x.round >= 0 && x.cpuUsPerOp !== undefined).map((x) => x.cpuUsPerOp!);
      return values.length === 0 ? 'n/a' : fmt([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)], 0);
    };
    lines.push(`| ${key} | ${cpu('service')} | ${cpu('serviceTelemetryOff')} | ${cpu('bareKoa')} | ${cpu('rawDriver')} |`);
  }
  lines.push('', "## The original's stack: FastAPI + Motor (GET by id, zlib for every client)", '');
  if (r.reference === null) lines.push('not measured');
  else if (!r.reference.ran) lines.push(`not measured: ${r.reference.reason}`);
  else {
    const ref = r.reference;
    lines.push(`Reference: ${ref.python}; one uvicorn worker, uvloop, httptools, Motor with the production pool (5/20), no middleware.`, '');
    lines.push('| server | req/s | p99 ms | CPU µs/req |', '|---|---|---|---|');
    for (const [name, m] of [['service (production, telemetry on)', ref.medians.service], ['bare Koa', ref.medians.bareKoa], ['FastAPI + Motor', ref.medians.fastapiMotor]] as const) {
      lines.push(`| ${name} | ${fmt(m.rate, 0)} | ${fmt(m.p99, 1)} | ${fmt(m.cpuUsPerOp, 0)} |`);
    }
    lines.push('', `Service ÷ FastAPI req/s ${ratioCell(ref.serviceVsFastapi)}; CPU per request (FastAPI µs ÷ service µs) ${ratioCell(ref.cpuServiceVsFastapi)}; FastAPI p99 ÷ service p99 ${ratioCell(ref.p99FastapiVsService)}; bare Koa ÷ FastAPI req/s ${ratioCell(ref.bareKoaVsFastapi)}.`);
  }
  lines.push('', '## Bulk (documents per second through the full service; goal ≥ 50 × single)', '');
  lines.push('| path | docs/s | ÷ single create |', '|---|---|---|');
  lines.push(`| single POST /api/v1/portfolios | ${fmt(r.medians.single?.service, 0)} | 1 |`);
  lines.push(`| POST /api/v2/portfolios (100 items) | ${fmt(r.medians.bulk?.service, 0)} | ${ratioCell(r.ratios.bulkVsSingle)} |`);
  lines.push(`| POST /api/fast/portfolios/bulk (100 items) | ${fmt(r.medians.fastBulk?.service, 0)} | ${ratioCell(r.ratios.fastBulkVsSingle)} |`);
  if (r.driverCompression !== null) {
    const c = r.driverCompression;
    lines.push('', '## Wire compression (raw driver findOne, same options as the service)', '');
    lines.push(`Compressors offered: ${c.compressors}. Compressed ${fmt(c.compressedRate, 0)} ops/s, uncompressed ${fmt(c.uncompressedRate, 0)} ops/s; uncompressed ÷ compressed ${ratioCell(c.uncompressedVsCompressed)}.`);
  }
  lines.push('', '## Search latency by collection size (full service, 10 connections)', '');
  if (r.search.length === 0) lines.push('not measured');
  else {
    lines.push('| stored | query | req/s | p50 ms | p99 ms | plan | index | keys / docs examined |', '|---|---|---|---|---|---|---|---|');
    for (const s of r.search) {
      lines.push(`| ${s.stored} | ${s.query} | ${fmt(s.rate, 0)} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${s.plan} | ${s.usesIndex ? 'yes' : 'no'} | ${s.keysExamined ?? '–'} / ${s.docsExamined ?? '–'} |`);
    }
  }
  lines.push('', '## Open-loop latency (loadgen, mixed scenario)', '');
  if (r.latency === null) lines.push('not measured (see errors)');
  else {
    lines.push(`Maximum (closed-loop probe): ${fmt(r.latency.maxRate)} req/s. ${r.latency.note}.`, '');
    lines.push('| share of max | target req/s | achieved req/s | p50 ms | p99 ms | p99.9 ms | errors | late | dropped | generator saturated |', '|---|---|---|---|---|---|---|---|---|---|');
    for (const l of r.latency.levels) {
      lines.push(`| ${l.share * 100} % | ${fmt(l.targetRate)} | ${fmt(l.achievedRate)} | ${fmt(l.p50, 2)} | ${fmt(l.p99, 2)} | ${fmt(l.p999, 2)} | ${l.errors} | ${l.late} | ${l.dropped} | ${l.generatorSaturated ? 'yes' : 'no'} |`);
    }
  }
  lines.push('', '## Mixed scenario by operation (each alone; CPU per request of the service and of MongoDB)', '');
  if (r.mix === null) lines.push('not measured');
  else {
    const m = r.mix;
    lines.push(`${m.how}.`, '');
    lines.push('| operation | weight | req/s alone | service µs/req | MongoDB µs/req | loadgen µs/req | stored |', '|---|---|---|---|---|---|---|');
    for (const o of m.operations) lines.push(`| ${o.operation} | ${o.weight} | ${fmt(o.rate, 0)} | ${fmt(o.serviceUs, 0)} | ${fmt(o.mongoUs, 0)} | ${fmt(o.loadgenUs, 0)} | ${o.stored} |`);
    const shares = (list: MixRecord['serviceShares']): string => list.slice(0, 4).map((x) => `${x.operation} ${fmt(x.share * 100, 0)} %`).join(', ');
    lines.push('', `Mix: service ${fmt(m.serviceUs, 0)} µs per request (one core: ${fmt(m.serviceCeiling, 0)} req/s), MongoDB ${fmt(m.mongoUs, 0)} µs (${fmt(m.mongoCeiling, 0)} req/s); the ceiling is set by **${m.bottleneck === 'service' ? 'the service' : 'MongoDB'}**. Service cost by operation: ${shares(m.serviceShares)}; MongoDB: ${shares(m.mongoShares)}.`);
  }
  lines.push('', '## Memory (full service)', '');
  if (r.memory === null) lines.push('not measured (see errors)');
  else {
    const m = r.memory;
    lines.push(`${m.how} at ${m.sustainedRate} req/s for ${m.sustainedSeconds} s (goal: growth < ${m.goal * 100} %) ${m.met ? '✅' : '❌'}`, '');
    lines.push('| | before | after | growth |', '|---|---|---|---|');
    lines.push(`| RSS MB | ${mb(m.before.rssBytes)} | ${mb(m.after.rssBytes)} | ${fmt(m.rssGrowth * 100)} % |`);
    lines.push(`| heap used MB | ${mb(m.before.heapUsedBytes)} | ${mb(m.after.heapUsedBytes)} | ${fmt(m.heapGrowth * 100)} % |`);
  }
  const profileNames = Object.keys(r.profiles);
  if (profileNames.length > 0) {
    lines.push('', '## CPU cost per request (profiled load phase; service vs bare Koa)', '');
    lines.push('| scenario | service µs/req | bare Koa µs/req | extra µs/req | largest extra areas (µs/req) |', '|---|---|---|---|---|');
    for (const scenario of ['getById', 'create', 'search']) {
      const svc = r.profiles[`${scenario}.service`];
      const koa = r.profiles[`${scenario}.bareKoa`];
      if (svc === undefined || koa === undefined) continue;
      lines.push(`| ${scenario} | ${svc.cpuUsPerRequest} | ${koa.cpuUsPerRequest} | ${svc.cpuUsPerRequest - koa.cpuUsPerRequest} | ${areaDiff(svc, koa).slice(0, 8).map((d) => `${d.name} ${d.us > 0 ? '+' : ''}${d.us}`).join(', ')} |`);
    }
    const off = r.profiles['getById.serviceTelemetryOff'];
    const koa = r.profiles['getById.bareKoa'];
    if (off !== undefined && koa !== undefined) {
      lines.push(`| getById, telemetry off | ${off.cpuUsPerRequest} | ${koa.cpuUsPerRequest} | ${off.cpuUsPerRequest - koa.cpuUsPerRequest} | ${areaDiff(off, koa).slice(0, 8).map((d) => `${d.name} ${d.us > 0 ? '+' : ''}${d.us}`).join(', ')} |`);
    }
    lines.push('', '## CPU profiles (self time, share of busy samples)', '');
    for (const name of profileNames) {
      const p = r.profiles[name]!;
      lines.push(`**${name}** (${p.file}, busy ${p.busyMs} of ${p.wallMs} ms): ${p.byArea.slice(0, 12).map((a) => `${a.name} ${a.selfPct} %`).join(', ')}`, '');
      lines.push(`top functions: ${p.topFunctions.slice(0, 10).map((f) => `\`${f.name}\` ${f.selfPct} %`).join(', ')}`, '');
    }
  }
  lines.push('', '## Start-up (process start to /health/ready, MongoDB up)', '');
  if (r.startup === null) lines.push('not measured');
  else {
    const st = r.startup;
    lines.push(`${st.starts} starts: median ${st.medianMs} ms, max ${st.maxMs} ms (${st.readyMs.join(', ')}); goal < ${st.goalMs} ms ${st.met ? '✅' : '❌'}. ${st.how}.`);
  }
  const sink = Object.entries(r.telemetrySink);
  lines.push('', `Telemetry export received by the sink: ${sink.length === 0 ? 'nothing' : sink.map(([path, c]) => `${path} ${c.requests} requests / ${c.bytes} bytes`).join(', ')}`);
  if (r.errors.length > 0) lines.push('', '## Errors', '', ...r.errors.map((e) => `- ${e}`));
  return `${lines.join('\n')}\n`;
}
