// The typed inject() keys of @globeco/testkit/vitest-setup (declared here as well, so the tests
// type-check on their own).
import type {} from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Replica-set primary (transactions work). */
    mongoUri: string;
    /** Standalone server (transactions rejected). */
    mongoStandaloneUri: string;
    /** Which backend serves both. */
    mongoBackend: 'external' | 'memory-server' | 'wire';
  }
}
