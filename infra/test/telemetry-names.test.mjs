// The metric names and labels this directory relies on (README table, used by alerts, dashboard
// and custom-metrics rules) are exactly what the API exposes: the exposition is produced by the
// telemetry package's own recorders and serializer.
import { describe, expect, it } from 'vitest';
import { exposedFamilies } from './lib/exposition.mjs';
import { documentedMetrics } from './lib/promql.mjs';

describe('metric names shared with @globeco/telemetry', () => {
  it('every documented metric is exposed with the documented type and labels', async () => {
    const exposed = await exposedFamilies();
    const documented = [...documentedMetrics()].map(([name, { type, labels }]) => [name, type, labels.split(',').map((l) => l.trim()).filter(Boolean).sort()]);
    const actual = documented.map(([name]) => [name, exposed.get(name)?.type ?? 'not exposed', exposed.get(name)?.labels ?? []]);
    expect(actual).toStrictEqual(documented);
  });

  it('documents every family the API exposes (each once: no second event-loop family)', async () => {
    const exposed = [...(await exposedFamilies()).keys()].sort();
    expect(exposed).toStrictEqual([...documentedMetrics().keys()].sort());
    expect(exposed.filter((name) => /event_?loop/.test(name))).toStrictEqual(['nodejs_eventloop_delay_p99', 'nodejs_eventloop_utilization']);
  });

  it('documents the histogram by family name, so queries use http_request_duration_bucket', async () => {
    expect((await exposedFamilies()).get('http_request_duration')).toStrictEqual({ type: 'histogram', labels: ['method', 'path', 'status'] });
  });
});
