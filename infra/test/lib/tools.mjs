// Locates the external tools the validation needs (kubectl, yamllint, promtool). When one is
// missing, tests that need it are skipped with a printed reason, except under CI=true, where a
// missing tool is an error: CI must install it (.ci/run).
import { spawnSync } from 'node:child_process';

const installHints = {
  kubectl: 'kubectl >= 1.27 (with kustomize v5) on PATH',
  yamllint: 'apt-get install yamllint',
  promtool: 'apt-get install prometheus (provides promtool)',
};

/** Runs a command synchronously and returns its exit status and output. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  return {
    status: result.error ? -1 : result.status,
    stdout: result.stdout ?? '',
    stderr: result.error ? String(result.error.message) : result.stderr ?? '',
  };
}

/**
 * Reports whether a tool is usable; throws under CI=true when it is not.
 * @param {string} name command name
 * @param {string[]} versionArgs arguments that make it print its version and exit 0
 * @returns {{ ok: boolean, reason: string, version: string }}
 */
export function findTool(name, versionArgs = ['--version']) {
  const probe = run(name, versionArgs);
  if (probe.status === 0) return { ok: true, reason: '', version: (probe.stdout || probe.stderr).trim() };
  const reason = `${name} is not available (${installHints[name] ?? 'install it'}): ${probe.stderr.trim().split('\n')[0] || `exit ${probe.status}`}`;
  if (process.env.CI === 'true') throw new Error(`${reason}. CI=true requires it.`);
  console.warn(`[infra] skipping tests that need ${name}: ${reason}`);
  return { ok: false, reason, version: '' };
}

/** Finds kubectl and checks that its embedded kustomize understands Components (kustomize >= 4). */
export function findKubectl() {
  const tool = findTool('kubectl', ['version', '--client', '--output=json']);
  if (!tool.ok) return tool;
  const { kustomizeVersion = 'unknown' } = JSON.parse(tool.version);
  const major = Number(/^v?(\d+)/.exec(kustomizeVersion)?.[1] ?? 0);
  if (major >= 5) return { ...tool, version: kustomizeVersion };
  const reason = `kubectl embeds kustomize ${kustomizeVersion}; kustomize v5 is needed (kubectl >= 1.27)`;
  if (process.env.CI === 'true') throw new Error(reason);
  console.warn(`[infra] skipping tests that need kubectl: ${reason}`);
  return { ok: false, reason, version: kustomizeVersion };
}
