/** Exit code of a run whose thresholds all passed and whose generator kept up. */
export const EXIT_OK = 0;
/** Exit code for an unexpected failure (a bug or an unreachable target during seeding). */
export const EXIT_FAILURE = 1;
/** Exit code for invalid flags, scenario files or threshold expressions. */
export const EXIT_CONFIG_ERROR = 2;
/** Exit code when at least one threshold failed. */
export const EXIT_THRESHOLD_FAILED = 3;
/** Exit code when the generator itself was the bottleneck, so the figures are not trustworthy. */
export const EXIT_GENERATOR_SATURATED = 4;

/** An invalid option, scenario field or threshold expression; `field` names what was wrong. */
export class ConfigError extends Error {
  /** Stable machine-readable code of this error kind. */
  readonly code = 'LOADGEN_CONFIG';
  /** The flag or scenario field at fault. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'ConfigError';
    this.field = field;
  }
}

/** Tells whether a value is a {@link ConfigError}. */
export function isConfigError(value: unknown): value is ConfigError {
  return value instanceof ConfigError;
}
