import { context, trace } from '@opentelemetry/api';
import { KoaInstrumentation, KoaLayerType, type KoaInstrumentationConfig } from '@opentelemetry/instrumentation-koa';

type Layer = (ctx: unknown, next: () => Promise<unknown>) => unknown;

/** The instrumentation's own hook wrapping one middleware or router layer. */
interface PatchLayerHook {
  _patchLayer?: (layer: Layer, isRouter: boolean, layerPath?: string) => Layer;
}

/**
 * Creates the Koa instrumentation (router layers only: their spans and `http.route` on the server
 * span) so that a layer is traced only under a recording parent: under an unsampled request it
 * calls the layer directly, without the span, context switch and async wrapper the library adds.
 * @param config further instrumentation options (tests)
 * @returns the instrumentation and, under `hooks`, whether the parent check (`koa._patchLayer`) could be installed on this version
 */
export function createKoaInstrumentation(config: KoaInstrumentationConfig = {}): { instrumentation: KoaInstrumentation; hooks: { 'koa._patchLayer': boolean } } {
  const instrumentation = new KoaInstrumentation({ ignoreLayersType: [KoaLayerType.MIDDLEWARE], ...config });
  const hook = instrumentation as unknown as PatchLayerHook;
  // A private hook of @opentelemetry/instrumentation-koa (pinned); the test fails if it goes away.
  const patchLayer = hook._patchLayer?.bind(instrumentation);
  if (patchLayer === undefined) return { instrumentation, hooks: { 'koa._patchLayer': false } };
  hook._patchLayer = (layer, isRouter, layerPath) => {
    const traced = patchLayer(layer, isRouter, layerPath);
    if (traced === layer) return layer;
    return function recordingParentOnly(ctx, next) {
      return trace.getSpan(context.active())?.isRecording() === true ? traced(ctx, next) : layer(ctx, next);
    };
  };
  return { instrumentation, hooks: { 'koa._patchLayer': true } };
}
