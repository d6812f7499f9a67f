// The repository's documents and release files as a reader and a consumer meet them: every relative
// link of every Markdown file leads to a file that exists (and to a heading that exists, for a
// #fragment), the license the packages name is there, and each published package's tarball holds
// what its `files` list promises, its README, LICENSE and, for the changesets-released library,
// its CHANGELOG.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse } from 'yaml';
import { repoDir } from './lib/paths.mjs';

/** Markdown files git tracks or would track (untracked but not ignored). */
function markdownFiles() {
  return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '*.md'], { cwd: repoDir, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f !== '' && existsSync(join(repoDir, f)));
}

/** Markdown text without fenced code blocks and inline code, where `[x](y)` is not a link. */
function prose(markdown) {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingAnchors(markdown) {
  const seen = new Map();
  const anchors = new Set();
  for (const [, text] of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const base = text
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Relative links of a Markdown file: `{ target, file, fragment }`. */
function relativeLinks(path) {
  const text = prose(readFileSync(join(repoDir, path), 'utf8'));
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
    .map((target) => {
      const [file, fragment] = target.split('#');
      return { target, file: file === '' ? path : join(dirname(path), decodeURIComponent(file)), fragment };
    });
}

describe('Markdown links', () => {
  const files = markdownFiles();

  it('every relative link leads to an existing file, and every #fragment to a heading of it', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/API.md', 'apps/api/README.md', 'packages/portfolio-core/README.md']));
    const broken = [];
    let checked = 0;
    for (const path of files) {
      for (const link of relativeLinks(path)) {
        checked++;
        const target = join(repoDir, link.file);
        if (!existsSync(target)) broken.push(`${path}: ${link.target} (no ${relative(repoDir, target)})`);
        else if (link.fragment !== undefined) {
          if (statSync(target).isDirectory() || !target.endsWith('.md')) broken.push(`${path}: ${link.target} (a fragment into a non-Markdown target)`);
          else if (!headingAnchors(readFileSync(target, 'utf8')).has(link.fragment)) broken.push(`${path}: ${link.target} (no such heading)`);
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(broken).toStrictEqual([]);
  });

  it('computes anchors as GitHub does (the check has teeth)', () => {
    const anchors = headingAnchors('# A\n## Running on a real MongoDB\n## Service (`createPortfolioService({ store })`)\n## Versions\n## Versions\n```\n## not a heading\n```\n');
    expect([...anchors]).toStrictEqual(['a', 'running-on-a-real-mongodb', 'service-createportfolioservice-store-', 'versions', 'versions-1']);
  });

  it('the README points to the API contract, the configuration table and the license', () => {
    const links = relativeLinks('README.md').map((l) => l.target);
    expect(links).toEqual(expect.arrayContaining(['docs/API.md', 'apps/api/README.md#configuration', 'LICENSE']));
    expect(relativeLinks('apps/api/README.md').map((l) => l.target)).toContain('../../docs/API.md');
  });
});

/** Every workspace package: directory and manifest. */
function workspacePackages() {
  const globs = parse(readFileSync(join(repoDir, 'pnpm-workspace.yaml'), 'utf8')).packages;
  const dirs = globs.flatMap((g) =>
    g.endsWith('/*')
      ? execFileSync('git', ['ls-files', '--', `${g.slice(0, -2)}/*/package.json`], { cwd: repoDir, encoding: 'utf8' })
          .split('\n')
          .filter(Boolean)
          .map(dirname)
      : [g],
  );
  return dirs.map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(repoDir, dir, 'package.json'), 'utf8')) }));
}

describe('license and release files', () => {
  const packages = workspacePackages();
  const published = packages.filter((p) => p.manifest.private !== true);

  it('the repository has the MIT license every package names', () => {
    expect(readFileSync(join(repoDir, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} GlobeCo\n/);
    expect(packages.length).toBeGreaterThanOrEqual(8);
    expect(packages.filter((p) => p.manifest.license !== 'MIT').map((p) => p.dir)).toStrictEqual([]);
  });

  it.each(published.map((p) => [p.manifest.name, p]))('%s packs its files, README, LICENSE and the entry points it declares', (_name, { dir, manifest }) => {
    const pack = JSON.parse(execFileSync('pnpm', ['pack', '--dry-run', '--json'], { cwd: join(repoDir, dir), encoding: 'utf8' }));
    const packed = pack.files.map((f) => f.path);
    expect(packed).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
    expect(readFileSync(join(repoDir, dir, 'LICENSE'), 'utf8')).toBe(readFileSync(join(repoDir, 'LICENSE'), 'utf8'));
    // each `files` entry is in the tarball, as a file or a directory with files in it
    const missing = (manifest.files ?? []).filter((entry) => !packed.some((p) => p === entry || p.startsWith(`${entry}/`)));
    expect(missing).toStrictEqual([]);
    const entryPoints = [manifest.main, manifest.types, ...Object.values(manifest.bin ?? {})].filter(Boolean).map((p) => p.replace(/^\.\//, ''));
    expect(entryPoints.filter((p) => !packed.includes(p))).toStrictEqual([]);
  });

  it('the changesets-released library ships a changelog with its current version', () => {
    const core = packages.find((p) => p.manifest.name === '@globeco/portfolio-core');
    const changelog = readFileSync(join(repoDir, core.dir, 'CHANGELOG.md'), 'utf8');
    expect(changelog.startsWith('# @globeco/portfolio-core\n')).toBe(true);
    expect(changelog).toContain(`\n## ${core.manifest.version}\n`);
    expect(core.manifest.files).toContain('CHANGELOG.md');
  });
});
