import { ConfigError } from '../errors.js';
import { parseDuration } from '../cli/units.js';
import { parseStage } from '../schedule/stages.js';
import type { Stage } from '../schedule/stages.js';
import { isOperationName } from './operations.js';
import type { OperationMix, OperationSpec } from './operations.js';
import type { Scenario } from './schema.js';

/** The default operation mix. */
export const DEFAULT_MIX: OperationMix = {
  get: { weight: 50 },
  search: { weight: 15 },
  update: { weight: 10 },
  create: { weight: 8 },
  bulk: { weight: 5, size: 10 },
  fastBulk: { weight: 5, size: 10 },
  delete: { weight: 5 },
  list: { weight: 2 },
};

/** Converts a scenario file's stages (objects or `--stage` strings) into stages. */
export function scenarioStages(s: Scenario): Stage[] | undefined {
  return s.stages?.map((st, i) => {
    const field = `--scenario stages.${i}`;
    if (typeof st === 'string') return parseStage(st, field);
    const durationMs = parseDuration(st.duration, `${field}.duration`);
    switch (st.kind) {
      case 'hold':
        return st.rate === undefined ? { kind: 'hold', durationMs } : { kind: 'hold', durationMs, rate: st.rate };
      case 'ramp':
        return st.from === undefined ? { kind: 'ramp', durationMs, to: st.to } : { kind: 'ramp', durationMs, from: st.from, to: st.to };
      case 'step':
        return { kind: 'step', durationMs, to: st.to, steps: st.steps };
      case 'spike':
        return { kind: 'spike', durationMs, to: st.to };
      case 'sine':
        return { kind: 'sine', durationMs, min: st.min, max: st.max, periodMs: parseDuration(st.period, `${field}.period`) };
    }
  });
}

/** Converts a scenario file's operations into a mix, filling per-operation defaults. */
export function scenarioMix(s: Scenario): OperationMix | undefined {
  if (s.operations === undefined) return undefined;
  const mix: OperationMix = {};
  for (const [name, spec] of Object.entries(s.operations)) {
    if (!isOperationName(name)) continue;
    const full: OperationSpec = typeof spec === 'number' ? { ...DEFAULT_MIX[name], weight: spec } : { ...DEFAULT_MIX[name], ...spec };
    mix[name] = full;
  }
  if (Object.values(mix).every((x) => x.weight === 0)) throw new ConfigError('--scenario operations', 'at least one operation needs a positive weight');
  return mix;
}

