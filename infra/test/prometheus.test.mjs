// promtool checks: the scrape configuration (with a static stand-in for Kubernetes discovery),
// the alert rules and their unit tests, and every PromQL expression of the dashboard and of the
// prometheus-adapter rules. Also: every metric they use is documented in infra/README.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { observabilityDir } from './lib/paths.mjs';
import {
  adapterExpressions, alertExpressions, asRecordingRules, dashboardExpressions, documentedMetrics, metricNames,
} from './lib/promql.mjs';
import { findTool, run } from './lib/tools.mjs';

const promtool = findTool('promtool', ['--version']);

/**
 * Replaces each kubernetes_sd_configs block with a static target carrying the pod metadata labels
 * the relabelling reads, and points rule_files at the given directory. Debian's promtool is built
 * without Kubernetes discovery; everything else is checked as written.
 */
export function staticVariant(config, rulesDir) {
  const copy = structuredClone(config);
  copy.rule_files = copy.rule_files.map((file) => join(rulesDir, file.split('/').pop()));
  for (const job of copy.scrape_configs) {
    if (!job.kubernetes_sd_configs) continue;
    delete job.kubernetes_sd_configs;
    job.static_configs = [{ targets: ['127.0.0.1:8000'], labels: { __meta_kubernetes_namespace: 'globeco', __meta_kubernetes_pod_name: 'pod-0' } }];
  }
  return copy;
}

describe('PromQL metric names', () => {
  it('are all documented in the README metrics table, and every documented metric is used', () => {
    const table = documentedMetrics();
    // A histogram is selected through its _bucket/_sum/_count series.
    const family = (name) => {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      return base !== name && table.get(base)?.type === 'histogram' ? base : name;
    };
    const used = new Set([...alertExpressions(), ...dashboardExpressions(), ...adapterExpressions()].flatMap(({ expr }) => metricNames(expr).map(family)));
    used.delete('up'); // Prometheus' own
    expect([...used].sort()).toStrictEqual([...table.keys()].sort());
  });

  it('finds selector names and nothing else', () => {
    expect(metricNames('sum by (pod) (rate(a_total{job="x"}[1m])) / count(b{c="d"} == 1)')).toStrictEqual(['a_total', 'b']);
  });
});

describe.skipIf(!promtool.ok)(`promtool (${promtool.version.split('\n')[0] || promtool.reason})`, () => {
  let dir;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'globeco-prom-'));
    cpSync(observabilityDir, dir, { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const promtoolOk = (...args) => {
    const result = run('promtool', args, { cwd: dir });
    expect(result.status, `promtool ${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(0);
    return result.stdout + result.stderr;
  };

  it('accepts prometheus.yml with static targets in place of Kubernetes discovery, rule files included', () => {
    const config = parse(readFileSync(join(dir, 'prometheus.yml'), 'utf8'));
    expect(config.scrape_configs.map((j) => [j.job_name, Boolean(j.kubernetes_sd_configs)])).toStrictEqual([
      ['globeco-portfolio-api', true], ['otel-collector', true], ['prometheus', false],
    ]);
    writeFileSync(join(dir, 'prometheus.static.yml'), stringify(staticVariant(config, dir)));
    expect(promtoolOk('check', 'config', 'prometheus.static.yml')).toMatch(/SUCCESS: 8 rules found/);
  });

  it('rejects a scrape config with a broken relabel regex (the check has teeth)', () => {
    const config = staticVariant(parse(readFileSync(join(dir, 'prometheus.yml'), 'utf8')), dir);
    config.scrape_configs[0].relabel_configs[0].regex = 'globeco-(';
    writeFileSync(join(dir, 'prometheus.broken.yml'), stringify(config));
    const result = run('promtool', ['check', 'config', 'prometheus.broken.yml'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/error parsing regexp/);
  });

  it('accepts the alert rules and passes their unit tests', () => {
    expect(promtoolOk('check', 'rules', 'alert-rules.yml')).toMatch(/SUCCESS: 8 rules found/);
    expect(promtoolOk('test', 'rules', 'alert-rules.test.yml')).toMatch(/SUCCESS/);
  });

  it('parses every dashboard and prometheus-adapter query', () => {
    const expressions = [...dashboardExpressions(), ...adapterExpressions()];
    writeFileSync(join(dir, 'queries.rules.yml'), stringify(asRecordingRules('globeco-queries', expressions)));
    expect(promtoolOk('check', 'rules', 'queries.rules.yml')).toMatch(new RegExp(`SUCCESS: ${expressions.length} rules found`));
  });

  it('rejects a malformed query (the check has teeth)', () => {
    writeFileSync(join(dir, 'bad.rules.yml'), stringify(asRecordingRules('bad', [{ id: 'x', expr: 'sum by (route (rate(x[1m]))' }])));
    expect(run('promtool', ['check', 'rules', 'bad.rules.yml'], { cwd: dir }).status).toBe(1);
  });
});
