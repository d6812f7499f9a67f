import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { decodeHistogram, percentileSpectrum } from '../stats/hdr.js';
import { formatMs as ms, formatThresholdActual, operationRows } from './summary.js';
import type { Report } from './types.js';

let assets: { js: string; css: string } | undefined;

/** uPlot's script and stylesheet, read once from the installed package and inlined. */
function uplotAssets(): { js: string; css: string } {
  if (assets === undefined) {
    const require = createRequire(import.meta.url);
    assets = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return assets;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON that is safe inside a <script> element. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const PALETTE = ['#2b8a3e', '#1971c2', '#e8590c', '#c2255c', '#7048e8', '#0c8599', '#f08c00', '#5c940d', '#862e9c', '#495057'];

function statusBars(report: Report): string {
  const rows = Object.entries(report.operations).map(([name, op]) => {
    const total = Math.max(1, op.requests);
    const segs = Object.entries(op.statusCodes)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, n]) => {
        const color = code.startsWith('2') ? '#2b8a3e' : code === '409' ? '#f08c00' : code.startsWith('4') ? '#e8590c' : '#c92a2a';
        return `<span class="seg" style="width:${((n / total) * 100).toFixed(2)}%;background:${color}" title="${esc(code)}: ${n}">${n / total > 0.08 ? esc(code) : ''}</span>`;
      })
      .join('');
    const codes = Object.entries(op.statusCodes).map(([c, n]) => `${esc(c)}×${n}`).join(' ');
    return `<tr><th>${esc(name)}</th><td class="bar">${segs}</td><td class="codes">${codes}</td></tr>`;
  });
  return `<table class="status">${rows.join('')}</table>`;
}

function summaryTable(report: Report): string {
  const rows = operationRows(report)
    .map(
      (o, i) =>
        `<tr${i === 0 ? ' class="total"' : ''}><th>${esc(o.name)}</th><td>${o.requests}</td><td>${o.errors}</td><td>${o.conflicts}</td><td>${ms(o.latency.p50)}</td><td>${ms(o.latency.p90)}</td><td>${ms(o.latency.p99)}</td><td>${ms(o.latency.p999)}</td><td>${ms(o.latency.max)}</td><td>${ms(o.serviceTime.p99)}</td></tr>`,
    )
    .join('');
  return `<table class="ops"><thead><tr><th>operation</th><th>requests</th><th>errors</th><th>conflicts</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>service p99</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function thresholdTable(report: Report): string {
  if (report.thresholds.length === 0) return '<p class="muted">No thresholds set.</p>';
  const rows = report.thresholds
    .map((t) => `<tr class="${t.ok ? 'pass' : 'fail'}"><td>${t.ok ? 'PASS' : 'FAIL'}</td><td><code>${esc(t.expression)}</code></td><td>${formatThresholdActual(t)}</td></tr>`)
    .join('');
  return `<table class="thresholds"><thead><tr><th></th><th>threshold</th><th>actual</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/**
 * Renders a report as one self-contained HTML page (uPlot inlined, no network): throughput
 * target vs achieved, latency percentiles over time, latency distribution, status codes per
 * operation, stage markers and, when sampled, replicas and pod CPU.
 */
export function renderHtmlReport(report: Report): string {
  const { js, css } = uplotAssets();
  const rows = report.intervals;
  // a series is drawn (and listed in a legend) only when it was sampled at least once
  const hasReplicas = rows.some((r) => r.service?.replicas !== undefined);
  const hasPodCpu = rows.some((r) => r.service?.podCpu !== undefined);
  const hasSvcInFlight = rows.some((r) => r.service?.inFlight !== undefined);
  const hasService = hasReplicas || hasPodCpu || hasSvcInFlight;
  const spectrum = {
    latency: report.histograms.latency === '' ? [] : percentileSpectrum(decodeHistogram(report.histograms.latency)),
    serviceTime: report.histograms.serviceTime === '' ? [] : percentileSpectrum(decodeHistogram(report.histograms.serviceTime)),
  };
  const data = {
    t: rows.map((r) => r.t),
    target: rows.map((r) => r.targetRate),
    sent: rows.map((r) => r.sentRate),
    achieved: rows.map((r) => r.achievedRate),
    errors: rows.map((r) => r.errors / (report.intervalMs / 1000)),
    p50: rows.map((r) => r.latency.p50),
    p90: rows.map((r) => r.latency.p90),
    p99: rows.map((r) => r.latency.p99),
    max: rows.map((r) => r.latency.max),
    sp99: rows.map((r) => r.serviceTime.p99),
    replicas: rows.map((r) => r.service?.replicas ?? null),
    podCpu: rows.map((r) => r.service?.podCpu ?? null),
    svcInFlight: rows.map((r) => r.service?.inFlight ?? null),
    stages: report.stages.map((s) => ({ t: s.startMs / 1000, label: s.label })),
    spectrum,
    hasReplicas,
    hasPodCpu,
    hasSvcInFlight,
    palette: PALETTE,
  };
  const saturation = report.generator.saturated
    ? `<div class="banner">Generator saturated — ${esc(report.generator.warnings.join(' '))}</div>`
    : report.generator.warnings.length > 0
      ? `<div class="banner warn">${esc(report.generator.warnings.join(' '))}</div>`
      : '';
  const kv = (k: string, v: string): string => `<div class="kv"><span>${esc(k)}</span><b>${v}</b></div>`;
  const as = report.autoscaling;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>loadgen report — ${esc(report.target)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${css}
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#212529;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.muted{color:#868e96}.grid{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}
.kv{border:1px solid #dee2e6;border-radius:6px;padding:6px 10px;min-width:120px}.kv span{display:block;color:#868e96;font-size:12px}
.banner{background:#ffe3e3;border:1px solid #c92a2a;padding:8px 12px;border-radius:6px;margin:12px 0}.banner.warn{background:#fff3bf;border-color:#f08c00}
table{border-collapse:collapse}td,th{padding:3px 10px;text-align:right;border-bottom:1px solid #f1f3f5}th{text-align:left}
tr.total{font-weight:600}tr.pass td:first-child{color:#2b8a3e;font-weight:700}tr.fail td:first-child{color:#c92a2a;font-weight:700}
table.status{width:100%;max-width:900px}td.bar{width:60%;padding:0}td.bar .seg{display:inline-block;height:18px;color:#fff;font-size:11px;text-align:center;overflow:hidden;vertical-align:middle}
td.codes{text-align:left;font-size:12px;color:#495057}.chart{margin:8px 0}
</style></head><body>
<h1>Load test report</h1>
<div class="muted">${esc(report.target)} · ${esc(report.startedAt)} → ${esc(report.endedAt)} · ${report.model} model · seed ${report.seed}${report.shardsMerged > 1 ? ` · ${report.shardsMerged} shards merged` : report.shard.count > 1 ? ` · shard ${report.shard.index}/${report.shard.count}` : ''} · ${esc(report.tool.name)} ${esc(report.tool.version)}</div>
${saturation}
<div class="grid" id="summary">
${kv('target rate', `${report.targetRate} /s`)}${kv('achieved rate', `${report.achievedRate} /s`)}${kv('requests', String(report.requests))}${kv('errors', `${report.errors} (${(report.errorRate * 100).toFixed(2)}%)`)}${kv('conflicts', String(report.conflicts))}${kv('late / dropped', `${report.late} / ${report.dropped}`)}${kv('p50 / p99', `${ms(report.latency.p50)} / ${ms(report.latency.p99)} ms`)}${kv('p99.9 / max', `${ms(report.latency.p999)} / ${ms(report.latency.max)} ms`)}${kv('service p99', `${ms(report.serviceTime.p99)} ms`)}${kv('duration', `${report.durationSec} s`)}
${as !== null && as.initialReplicas !== null ? `${kv('replicas', `${as.initialReplicas ?? '?'} → ${as.maxReplicas ?? '?'}`)}${kv('first scale-out', as.timeToFirstScaleOutSec === null ? '—' : `${as.timeToFirstScaleOutSec} s`)}${kv('max replicas at', as.timeToMaxReplicasSec === null ? '—' : `${as.timeToMaxReplicasSec} s`)}${kv('p99 recovered after', as.p99RecoverySec === null ? '—' : `${as.p99RecoverySec} s`)}` : ''}
</div>
<h2>Thresholds</h2>${thresholdTable(report)}
<h2>Throughput: target vs achieved</h2><div class="chart" id="chart-throughput"></div>
<h2>Latency over time (response time from scheduled send; service time dashed)</h2><div class="chart" id="chart-latency"></div>
<h2>Latency distribution</h2><div class="chart" id="chart-distribution"></div>
${hasService ? `<h2>${hasReplicas ? 'Autoscaling' : 'Service'}</h2><div class="chart" id="chart-autoscaling"></div>` : ''}
<h2>Status codes per operation</h2>${statusBars(report)}
<h2>Operations (ms)</h2>${summaryTable(report)}
<script>${js}</script>
<script>
const D = ${scriptJson(data)};
const W = Math.min(1100, document.body.clientWidth - 20);
function stageMarkers() {
  return { hooks: { draw: [u => {
    const ctx = u.ctx; ctx.save(); ctx.strokeStyle = '#adb5bd'; ctx.fillStyle = '#868e96'; ctx.setLineDash([4, 4]);
    ctx.font = (11 * devicePixelRatio) + 'px system-ui';
    for (const s of D.stages) {
      const x = Math.round(u.valToPos(s.t, 'x', true));
      ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
      ctx.fillText(s.label, x + 4, u.bbox.top + 12 * devicePixelRatio);
    }
    ctx.restore();
  }] } };
}
function line(label, color, extra) { return Object.assign({ label, stroke: color, width: 1.5, spanGaps: true }, extra || {}); }
const xs = { x: { time: false } };
// the replica count on a right-hand axis, when it was sampled
const replicaAxis = D.hasReplicas ? [{ side: 1, scale: 'r', label: 'replicas', grid: { show: false } }] : [];
const replicaSeries = D.hasReplicas ? [line('replicas', '#7048e8', { scale: 'r', paths: uPlot.paths.stepped({ align: 1 }) })] : [];
const replicaData = D.hasReplicas ? [D.replicas] : [];
new uPlot({ width: W, height: 280, scales: Object.assign({}, xs, D.hasReplicas ? { r: {} } : {}), plugins: [stageMarkers()],
  axes: [{ label: 's' }, { label: 'req/s' }].concat(replicaAxis),
  series: [{ label: 't (s)' }, line('target', '#495057', { dash: [6, 4] }), line('sent', '#1971c2'), line('achieved', '#2b8a3e'), line('errors/s', '#c92a2a')].concat(replicaSeries) },
  [D.t, D.target, D.sent, D.achieved, D.errors].concat(replicaData), document.getElementById('chart-throughput'));
new uPlot({ width: W, height: 280, scales: Object.assign({}, xs, D.hasReplicas ? { r: {} } : {}), plugins: [stageMarkers()],
  axes: [{ label: 's' }, { label: 'ms' }].concat(replicaAxis),
  series: [{ label: 't (s)' }, line('p50', '#2b8a3e'), line('p90', '#1971c2'), line('p99', '#e8590c'), line('max', '#c2255c'), line('service p99', '#0c8599', { dash: [4, 4] })].concat(replicaSeries) },
  [D.t, D.p50, D.p90, D.p99, D.max, D.sp99].concat(replicaData), document.getElementById('chart-latency'));
const toX = p => 1 / (1 - Math.min(p, 99.9999) / 100);
const spec = D.spectrum.latency.length ? D.spectrum.latency : [[0, 0]];
const sspec = D.spectrum.serviceTime.length ? D.spectrum.serviceTime : [[0, 0]];
const ticks = [1, 2, 10, 100, 1000, 10000, 100000, 1000000];
const tickLabels = ['0%', '50%', '90%', '99%', '99.9%', '99.99%', '99.999%', '99.9999%'];
new uPlot({ width: W, height: 280, scales: { x: { time: false, distr: 3, range: [1, 1000000] } },
  axes: [{ label: 'percentile', splits: () => ticks, values: (u, vals) => vals.map(v => tickLabels[ticks.indexOf(v)] || '') }, { label: 'ms' }],
  series: [{ label: 'percentile', value: (u, v) => v == null ? '' : (100 - 100 / v).toFixed(4) + '%' }, line('response time', '#e8590c'), line('service time', '#0c8599', { dash: [4, 4] })] },
  [spec.map(p => toX(p[0])), spec.map(p => p[1]), sspec.map(p => p[1])], document.getElementById('chart-distribution'));
if (D.hasReplicas || D.hasSvcInFlight || D.hasPodCpu) {
  const counts = [D.hasReplicas && 'replicas', D.hasSvcInFlight && 'in-flight'].filter(Boolean).join(' / ');
  new uPlot({ width: W, height: 240, scales: Object.assign({}, xs, D.hasPodCpu ? { c: {} } : {}), plugins: [stageMarkers()],
    axes: [{ label: 's' }, { label: counts }].concat(D.hasPodCpu ? [{ side: 1, scale: 'c', label: 'pod CPU (cores)', grid: { show: false } }] : []),
    series: [{ label: 't (s)' }]
      .concat(D.hasReplicas ? [line('replicas', '#7048e8', { paths: uPlot.paths.stepped({ align: 1 }) })] : [])
      .concat(D.hasSvcInFlight ? [line('service in-flight', '#0c8599')] : [])
      .concat(D.hasPodCpu ? [line('pod CPU', '#f08c00', { scale: 'c' })] : []) },
    [D.t].concat(D.hasReplicas ? [D.replicas] : [], D.hasSvcInFlight ? [D.svcInFlight] : [], D.hasPodCpu ? [D.podCpu] : []), document.getElementById('chart-autoscaling'));
}
document.body.dataset.rendered = 'true';
</script>
</body></html>
`;
}
