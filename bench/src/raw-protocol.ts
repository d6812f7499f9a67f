/** A measurement asked of the raw-driver process. */
export type RawRequest =
  | {
      readonly op: 'getById';
      readonly durationMs: number;
      readonly loops: number;
      readonly ids: readonly string[];
      /** false: use a second client that negotiates no wire compression (default true: the service's options). */
      readonly compressed?: boolean;
    }
  | { readonly op: 'create'; readonly durationMs: number; readonly loops: number; readonly tag: string }
  | { readonly op: 'search'; readonly durationMs: number; readonly loops: number; readonly term: string };

/** What the raw-driver process answers: completed operations per second and latency in ms. */
export interface RawResult {
  readonly ops: number;
  readonly seconds: number;
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly message?: string;
}
