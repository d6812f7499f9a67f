import type { RateProfile } from './stages.js';

/** The arrival times one generator thread owns: every `slots`-th arrival starting at `slot`. */
export interface ArrivalSequence {
  /** Global index of the next arrival, or -1 when the sequence is exhausted. */
  readonly index: number;
  /** Scheduled time of the next arrival in ms after the start (Infinity when exhausted). */
  readonly time: number;
  /** Moves to the following arrival. */
  advance(): void;
}

/**
 * Creates the arrival sequence of one slot. The k-th arrival of the whole run is due when the
 * profile's cumulative arrivals reach k + ½, so a constant rate r puts them at (k + ½)/r; slot `s`
 * of `slots` takes k ≡ s (mod slots), which splits any profile exactly across workers and shards.
 */
export function createArrivals(profile: RateProfile, slot: number, slots: number, maxRequests = Infinity): ArrivalSequence {
  let k = slot;
  let t = 0;
  const compute = (): void => {
    t = k < maxRequests ? profile.timeOfArrival(k + 0.5) : Infinity;
    if (t === Infinity) k = -1;
  };
  compute();
  return {
    get index() {
      return k;
    },
    get time() {
      return t;
    },
    advance() {
      if (k < 0) return;
      k += slots;
      compute();
    },
  };
}
