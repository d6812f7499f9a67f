import { resetResults } from './results.js';

/** Vitest global setup: every run starts a fresh results/latest.json. */
export default function setup(): void {
  resetResults();
}
