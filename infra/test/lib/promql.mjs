// Collects every PromQL expression the project ships (alert rules, dashboard panels, the
// prometheus-adapter rules) in a form promtool can check, and the metric names they use.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { infraDir, k8sDir, observabilityDir } from './paths.mjs';

/** Grafana's template variables replaced by concrete values so promtool can parse the query. */
export function substituteGrafanaVariables(expr) {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$__interval', '1m').replaceAll('$namespace', 'globeco');
}

/** prometheus-adapter's Go-template placeholders replaced as the adapter would for one pod. */
export function substituteAdapterTemplate(query) {
  return query
    .replaceAll('<<.Series>>', 'http_requests_in_flight')
    .replaceAll('<<.LabelMatchers>>', 'namespace="globeco",pod=~"globeco-portfolio-api-.*"')
    .replaceAll('<<.GroupBy>>', 'pod');
}

/** The Grafana dashboard JSON. */
export function readDashboard() {
  return JSON.parse(readFileSync(join(observabilityDir, 'grafana-dashboard.json'), 'utf8'));
}

/** The prometheus-adapter Helm values of the custom-metrics component. */
export function readAdapterValues() {
  return parse(readFileSync(join(k8sDir, 'components', 'custom-metrics', 'prometheus-adapter-values.yaml'), 'utf8'));
}

/** Every panel query of the dashboard as { id, expr } with variables substituted. */
export function dashboardExpressions(dashboard = readDashboard()) {
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({ id: `panel_${panel.id}_${t.refId}`, panel: panel.title, expr: substituteGrafanaVariables(t.expr) })),
  );
}

/** Every adapter rule's seriesQuery and metricsQuery, placeholders substituted. */
export function adapterExpressions(values = readAdapterValues()) {
  return values.rules.custom.flatMap((rule, i) => [
    { id: `adapter_${i}_series`, expr: rule.seriesQuery },
    { id: `adapter_${i}_metrics`, expr: substituteAdapterTemplate(rule.metricsQuery) },
  ]);
}

/** The alert rules' expressions. */
export function alertExpressions() {
  const rules = parse(readFileSync(join(observabilityDir, 'alert-rules.yml'), 'utf8'));
  return rules.groups.flatMap((g) => g.rules.map((r) => ({ id: r.alert, expr: r.expr })));
}

/** A Prometheus rules file recording each expression, for `promtool check rules`. */
export function asRecordingRules(group, expressions) {
  return {
    groups: [{ name: group, rules: expressions.map(({ id, expr }) => ({ record: `globeco:check:${id}`, expr })) }],
  };
}

/** Metric names selected in an expression (every selector here carries a {…} matcher). */
export function metricNames(expr) {
  return [...new Set([...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/g)].map((m) => m[1]))].sort();
}

/**
 * The metric table of infra/README.md ("Metrics"): rows whose first cell is a `code` name.
 * @returns {Map<string, { type: string, labels: string }>}
 */
export function documentedMetrics() {
  const readme = readFileSync(join(infraDir, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Metrics'));
  if (!section) throw new Error('infra/README.md has no "## Metrics" section');
  const rows = section.split('\n').filter((line) => /^\|\s*`[a-z][a-z0-9_:]*`\s*\|/.test(line));
  return new Map(
    rows.map((line) => {
      const [name, type, labels] = line.split('|').slice(1).map((cell) => cell.trim());
      return [name.replaceAll('`', ''), { type, labels }];
    }),
  );
}
