// The repository README's facts about the service, checked against the service: its curl sessions
// replayed in order (ids, dates and timings aside, the answers must be the ones printed), the
// MongoDB URIs it shows, and the versions it explains.
import { readFileSync } from 'node:fs';
import { createMongoClient, PORTFOLIO_INDEXES } from '@globeco/portfolio-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createTestStack, type TestStack } from './support.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The text of a `## title` section of a Markdown document. */
export function sectionOf(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`no section "## ${title}"`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

/** One `$ command` of a console block and the lines it printed. */
interface Step {
  command: string;
  output: string[];
}

function consoleSteps(markdown: string): Step[] {
  const steps: Step[] = [];
  for (const block of markdown.matchAll(/```console\n([\s\S]*?)```/g)) {
    for (const line of (block[1] ?? '').split('\n')) {
      if (line.startsWith('$ ')) steps.push({ command: line.slice(2), output: [] });
      else if (line !== '') steps.at(-1)?.output.push(line);
    }
  }
  return steps;
}

/** Shell words of a command line: plain words and single-quoted strings, `|` on its own. */
function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|(\|)|([^\s'|]+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

interface CurlCall {
  method: string;
  path: string;
  headers: [string, string][];
  data?: string;
  include: boolean;
  writeOut?: string;
  grep?: RegExp;
}

/** Reads the curl options the README uses; any other option fails the test, so the README cannot drift from what is checked. */
function parseCurl(command: string): CurlCall {
  const w = words(command);
  if (w.shift() !== 'curl') throw new Error(`not a curl command: ${command}`);
  const call: CurlCall = { method: '', path: '', headers: [], include: false };
  while (w.length > 0) {
    const word = w.shift() as string;
    if (word === '-s') continue;
    else if (word === '-si') call.include = true;
    else if (word === '-X') call.method = w.shift() ?? '';
    else if (word === '-H') {
      const [name, ...value] = (w.shift() ?? '').split(':');
      call.headers.push([name ?? '', value.join(':').trim()]);
    } else if (word === '-d') call.data = w.shift();
    else if (word === '-w') call.writeOut = w.shift();
    else if (word === '|') {
      const [grep, flags, pattern] = w.splice(0, 3);
      if (grep !== 'grep' || flags !== '-iE' || pattern === undefined) throw new Error(`unknown pipe in: ${command}`);
      call.grep = new RegExp(pattern, 'i');
    } else if (word.startsWith('localhost:8000/')) call.path = word.slice('localhost:8000'.length);
    else throw new Error(`curl option not covered by this test: ${word} in ${command}`);
  }
  call.method ||= call.data === undefined ? 'GET' : 'POST';
  return call;
}

/** What curl prints for an answer: `-i` status line and headers, the body, `-w` with `%{http_code}`, then `grep`. */
function curlOutput(call: CurlCall, res: { status: number; text: string; res: { statusMessage?: string; rawHeaders: string[] } }): string[] {
  let out = '';
  if (call.include) {
    out += `HTTP/1.1 ${res.status} ${res.res.statusMessage ?? ''}\n`;
    for (let i = 0; i < res.res.rawHeaders.length; i += 2) out += `${res.res.rawHeaders[i]}: ${res.res.rawHeaders[i + 1]}\n`;
    out += '\n';
  }
  out += res.text ?? '';
  if (call.writeOut !== undefined) out += call.writeOut.replace('%{http_code}', String(res.status)).replaceAll('\\n', '\n');
  const lines = out.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
  return call.grep === undefined ? lines.filter((l) => l !== '') : lines.filter((l) => call.grep?.test(l));
}

const ID = /\b[0-9a-f]{24}\b/g;
/** Dates and timings differ run to run; ids are compared through the mapping. */
const normalize = (line: string): string =>
  line
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<date>')
    .replace(/("processingTimeMs":|X-Processing-Time-Ms: )[\d.]+/g, '$1<ms>');

describe('README: the API sessions', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await createTestStack();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answer, replayed in order against the service, what the README prints', async () => {
    const steps = consoleSteps(sectionOf(README, 'API'));
    expect(steps.length).toBeGreaterThanOrEqual(12);
    // the ids the README shows → the ids this run created, learnt from the answers in order
    const ids = new Map<string, string>();
    const toActual = (text: string): string => text.replace(ID, (id) => ids.get(id) ?? id);
    const printed: string[][] = [];
    const answered: string[][] = [];
    for (const step of steps) {
      const call = parseCurl(toActual(step.command));
      let req = t.http[call.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete'](call.path);
      for (const [name, value] of call.headers) req = req.set(name, value);
      const res = call.data === undefined ? await req : await req.send(call.data);
      const lines = curlOutput(call, res as unknown as Parameters<typeof curlOutput>[1]);
      step.output.forEach((line, i) => {
        const shown = line.match(ID) ?? [];
        const got = lines[i]?.match(ID) ?? [];
        shown.forEach((id, k) => {
          if (!ids.has(id) && got[k] !== undefined) ids.set(id, got[k]);
        });
      });
      printed.push(step.output.map((l) => normalize(toActual(l))));
      answered.push(lines.map(normalize));
    }
    expect(answered).toStrictEqual(printed);
    expect(ids.size).toBeGreaterThanOrEqual(5);
  });

  it('rejects a curl option it does not check (the replay has teeth)', () => {
    expect(() => parseCurl("curl -s -L localhost:8000/")).toThrow('curl option not covered by this test: -L');
  });
});

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
    for (const index of PORTFOLIO_INDEXES.map((i) => i.name)) expect(section).toContain(`\`${index}\``);
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
