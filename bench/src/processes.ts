import { execFileSync, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';

/** Whether `taskset` can pin processes here (util-linux on Linux). */
export function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pins every thread of process `pid` to `cpu`; returns false when pinning is not possible. */
export function pin(pid: number, cpu: number): boolean {
  try {
    execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** How to start one child process. */
export interface ChildSpec {
  /** Label used in logs and errors. */
  readonly name: string;
  /** Script run by this Node binary. */
  readonly script: string;
  readonly args?: readonly string[];
  readonly execArgv?: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** CPU to pin to (all threads), when pinning is possible. */
  readonly cpu?: number;
  /** Open an IPC channel. */
  readonly ipc?: boolean;
  /** File receiving the child's stdout/stderr (except what `waitFor` reads). */
  readonly logFile?: string;
}

/** Spawns a Node child (pinned when asked); stdout stays readable when `logFile` is absent. */
export function startChild(spec: ChildSpec): ChildProcess {
  const log = spec.logFile === undefined ? 'pipe' : openSync(spec.logFile, 'a');
  const stdio: StdioOptions = ['ignore', spec.logFile === undefined ? 'pipe' : log, log];
  if (spec.ipc === true) stdio.push('ipc');
  const child = spawn(process.execPath, [...(spec.execArgv ?? []), spec.script, ...(spec.args ?? [])], { env: spec.env, stdio });
  if (spec.cpu !== undefined && child.pid !== undefined) pin(child.pid, spec.cpu);
  return child;
}

/** Resolves with the first stdout line matching `pattern`; rejects if the child exits or times out. */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number, name: string): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`${name}: no line matching ${String(pattern)} within ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${String(code)}) before it was ready`));
    };
    child.once('exit', onExit);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split('\n')) {
        const match = pattern.exec(line);
        if (match !== null) {
          clearTimeout(timer);
          child.off('exit', onExit);
          resolve(match);
          return;
        }
      }
    });
  });
}

/** Polls `url` every `pollMs` until it answers 200; throws after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number, child?: ChildProcess, pollMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child !== undefined && child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms (${last})`);
}

/** Sends SIGTERM and waits for the exit, then SIGKILL after `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

/** Resident set size of a process in bytes (Linux /proc), NaN elsewhere. */
export function readRss(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb === undefined ? Number.NaN : Number(kb) * 1024;
  } catch {
    return Number.NaN;
  }
}

let clockTicks: number | undefined;

/** CPU time (user + system, all threads) a process has used so far, in seconds (Linux /proc), NaN elsewhere. */
export function readCpuSeconds(pid: number): number {
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return Number.NaN;
  }
}
