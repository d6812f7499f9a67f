import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from './prometheus-text.js';
import { readServiceMetrics } from './watch.js';

// the families of the service's GET /metrics that the watcher reads, as the service writes them
// (with event_loop_utilization beside it, as earlier versions of the service wrote both)
const SERVICE_METRICS = `# HELP event_loop_utilization Event loop utilization since the previous collection (0..1)
# TYPE event_loop_utilization gauge
event_loop_utilization{otel_scope_name="@globeco/telemetry",otel_scope_version="2.0.0"} 0.9836192058209012
# HELP http_requests_in_flight Number of HTTP requests currently being processed
# TYPE http_requests_in_flight gauge
http_requests_in_flight{method="GET",otel_scope_name="@globeco/telemetry",otel_scope_version="2.0.0"} 3
http_requests_in_flight{method="PUT",otel_scope_name="@globeco/telemetry",otel_scope_version="2.0.0"} 2
# HELP nodejs_eventloop_utilization Event loop utilization
# TYPE nodejs_eventloop_utilization gauge
nodejs_eventloop_utilization{otel_scope_name="@opentelemetry/instrumentation-runtime-node",otel_scope_version="0.37.0"} 0.9787392434038024
`;

const read = (text: string): ReturnType<typeof readServiceMetrics> => readServiceMetrics(parsePrometheusText(text));
const without = (name: string): string => SERVICE_METRICS.split('\n').filter((l) => !l.includes(name)).join('\n');

describe('readServiceMetrics', () => {
  it("reads one event-loop utilisation family, never the sum of an older service's two", () => {
    expect(read(SERVICE_METRICS)).toStrictEqual({ inFlight: 5, eventLoopUtilization: 0.9787392434038024 });
  });

  it('reads the runtime instrumentation family the service exposes, else the older name', () => {
    expect(read(without('event_loop_utilization'))).toStrictEqual({ inFlight: 5, eventLoopUtilization: 0.9787392434038024 });
    expect(read(without('eventloop_utilization'))).toStrictEqual({ inFlight: 5, eventLoopUtilization: 0.9836192058209012 });
    expect(read(without('utilization'))).toStrictEqual({ inFlight: 5 });
  });

  it('keeps a utilisation only when it lies in 0..1', () => {
    expect(read('nodejs_eventloop_utilization 1.7\nevent_loop_utilization 0.4\n')).toStrictEqual({});
    expect(read('event_loop_utilization -0.1\n')).toStrictEqual({});
    expect(read('event_loop_utilization 0\n')).toStrictEqual({ eventLoopUtilization: 0 });
    expect(read('event_loop_utilization 1\n')).toStrictEqual({ eventLoopUtilization: 1 });
  });

  it('sums in-flight requests over one family only', () => {
    expect(read('http_requests_in_flight{method="GET"} 4\nhttp_server_active_requests{method="GET"} 4\n')).toStrictEqual({ inFlight: 4 });
    expect(read('http_server_active_requests{method="GET"} 4\nhttp_server_active_requests{method="POST"} 1\n')).toStrictEqual({ inFlight: 5 });
  });
});
