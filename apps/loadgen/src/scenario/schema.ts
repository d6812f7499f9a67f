import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';
import { OPERATION_NAMES } from './operations.js';

const durationText = v.union([v.pipe(v.string(), v.nonEmpty()), v.pipe(v.number(), v.minValue(0))]);
const rate = v.pipe(v.number(), v.minValue(0));
const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));

const StageSchema = v.union([
  v.pipe(v.string(), v.nonEmpty()),
  v.variant('kind', [
    v.strictObject({ kind: v.literal('hold'), duration: durationText, rate: v.optional(rate) }),
    v.strictObject({ kind: v.literal('ramp'), duration: durationText, from: v.optional(rate), to: rate }),
    v.strictObject({ kind: v.literal('step'), duration: durationText, to: rate, steps: positiveInt }),
    v.strictObject({ kind: v.literal('spike'), duration: durationText, to: rate }),
    v.strictObject({ kind: v.literal('sine'), duration: durationText, min: rate, max: rate, period: durationText }),
  ]),
]);

const OperationSchema = v.union([
  v.pipe(v.number(), v.minValue(0)),
  v.strictObject({
    weight: v.pipe(v.number(), v.minValue(0)),
    size: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100))),
    mode: v.optional(v.picklist(['exact', 'like', 'mixed'])),
    limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000))),
    pages: v.optional(positiveInt),
    api: v.optional(v.picklist(['v2', 'fast'])),
  }),
]);

/** Schema of a scenario file (JSON or YAML); command-line flags override its values. */
export const ScenarioSchema = v.strictObject({
  seed: v.optional(v.pipe(v.number(), v.integer())),
  model: v.optional(v.picklist(['open', 'closed'])),
  rate: v.optional(rate),
  duration: v.optional(durationText),
  requests: v.optional(positiveInt),
  concurrency: v.optional(positiveInt),
  maxInFlight: v.optional(positiveInt),
  connections: v.optional(positiveInt),
  workers: v.optional(positiveInt),
  stages: v.optional(v.array(StageSchema)),
  setup: v.optional(
    v.strictObject({
      portfolios: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
      bulkSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100))),
    }),
  ),
  cleanup: v.optional(v.boolean()),
  operations: v.optional(v.record(v.picklist(OPERATION_NAMES), OperationSchema)),
  thresholds: v.optional(v.array(v.string())),
});

/** A validated scenario file. */
export type Scenario = v.InferOutput<typeof ScenarioSchema>;

/** Validates parsed scenario data; the error names the first bad field by its path. */
export function parseScenario(data: unknown, source = 'scenario'): Scenario {
  const result = v.safeParse(ScenarioSchema, data);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = v.getDotPath(issue) ?? '(root)';
  throw new ConfigError(`${source}: ${path}`, issue.message);
}

/** Reads and validates a scenario from a `.json`, `.yaml` or `.yml` file. */
export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('--scenario', `cannot read ${file}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError('--scenario', `${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(err as Error).message}`);
  }
  return parseScenario(data, file);
}
