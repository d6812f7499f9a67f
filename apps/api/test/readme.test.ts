// The repository README's facts about the service, checked against the service: the MongoDB URIs
// it shows and the versions it explains.
import { readFileSync } from 'node:fs';
import { createMongoClient } from '@globeco/portfolio-core';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createTestStack } from './support.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The text of a `## title` section of a Markdown document. */
export function sectionOf(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`no section "## ${title}"`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

describe('README: running on a real MongoDB', () => {
  const section = sectionOf(README, 'Running on a real MongoDB');
  const uris = [...section.matchAll(/MONGODB_URI='([^']+)'/g)].map((m) => m[1] as string);

  it('shows URIs with authentication and TLS that the configuration and the driver accept', () => {
    expect(uris.length).toBeGreaterThanOrEqual(3);
    const parsed = uris.map((uri) => {
      expect(loadConfig({ APP_ENV: 'production', MONGODB_URI: uri }).mongo.uri).toBe(uri);
      const { options } = createMongoClient({ uri });
      return { tls: options.tls, user: options.credentials?.username !== '', mechanism: options.credentials?.mechanism };
    });
    expect(parsed.every((p) => p.tls)).toBe(true);
    expect(parsed.filter((p) => p.user).length).toBeGreaterThanOrEqual(2);
    expect(parsed.map((p) => p.mechanism)).toContain('MONGODB-X509');
  });

  it('says that bulk is all or nothing only on a replica set, and how indexes are created', () => {
    expect(section).toContain('all or nothing only on a replica set');
    for (const index of ['name_text', 'name_1_dateCreated_-1', 'nameLower_1_dateCreated_-1__id_-1', 'dateCreated_-1__id_-1']) expect(section).toContain(`\`${index}\``);
    expect(section).toContain('`DB_INDEX_RETRY_MS`');
  });
});

describe('README: versions', () => {
  it('explains the version the service reports and the one of the packages and images', async () => {
    const section = sectionOf(README, 'Versions');
    const t = await createTestStack();
    try {
      const banner = (await t.http.get('/').expect(200)).body as { version: string };
      const info = ((await t.http.get('/openapi.json').expect(200)).body as { info: { version: string } }).info;
      expect(info.version).toBe(banner.version);
      expect(section).toContain(`**${banner.version} — the API contract.**`);
    } finally {
      await t.close();
    }
    const api = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const overlay = readFileSync(new URL('../../../infra/k8s/overlays/production/kustomization.yaml', import.meta.url), 'utf8');
    expect(overlay).toContain(`newTag: "${api.version}"`);
    expect(section).toContain(`\`globeco/portfolio-api:${api.version}\``);
    expect(section).toContain(`are at ${api.version}`);
  });
});
