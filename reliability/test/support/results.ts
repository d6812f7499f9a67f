import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** results/latest.json, rewritten by every run. */
export const RESULTS_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'results', 'latest.json');

/** Shape of results/latest.json. */
export interface ResultsFile {
  startedAt: string;
  machine: { cpus: number; cpuModel: string; node: string; platform: string };
  scenarios: Record<string, Record<string, unknown>>;
}

/** Starts an empty results file for this run. */
export function resetResults(): void {
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  const cpu = cpus();
  const file: ResultsFile = {
    startedAt: new Date().toISOString(),
    machine: { cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}` },
    scenarios: {},
  };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(file, null, 2)}\n`);
}

/** Prints a scenario's figures as one block and stores them under `name` in results/latest.json. */
export function recordScenario(name: string, figures: Record<string, unknown>): void {
  const lines = Object.entries(figures).map(([k, v]) => `  ${k.padEnd(34)} ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  console.log(`\n[reliability] ${name}\n${lines.join('\n')}\n`);
  if (!existsSync(RESULTS_FILE)) resetResults();
  const file = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as ResultsFile;
  file.scenarios[name] = { ...figures, recordedAt: new Date().toISOString() };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(file, null, 2)}\n`);
}
