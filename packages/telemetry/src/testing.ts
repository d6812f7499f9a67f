// Test-only entry point (`@globeco/telemetry/testing`): never imported by the main entry.
export { startOtlpReceiver } from './testing/otlp-receiver.js';
export type { OtlpReceiver, OtlpReceiverOptions, Primitive, ReceivedMetric, ReceivedPoint, ReceivedSpan } from './testing/otlp-receiver.js';
