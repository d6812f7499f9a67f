import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from './config-variables.js';
import { ConfigError, loadConfig, renderConfigTable } from './config.js';

const URI = { MONGODB_URI: 'mongodb://db.example:27017' };

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('profiles', () => {
  it.each([
    ['development', 1, 10, 50, 1000, 'debug'],
    ['staging', 0.5, 8, 30, 1000, 'info'],
    ['production', 0.1, 5, 20, 2000, 'warn'],
  ] as const)('%s: sampling %s, pool %s/%s, cache %s, log %s', (appEnv, ratio, min, max, cache, level) => {
    const config = loadConfig({ APP_ENV: appEnv, ...URI });
    expect(config.appEnv).toBe(appEnv);
    expect(config.telemetry.traceSampleRatio).toBe(ratio);
    expect([config.mongo.minPoolSize, config.mongo.maxPoolSize]).toStrictEqual([min, max]);
    expect(config.validationCacheSize).toBe(cache);
    expect(config.log.level).toBe(level);
  });

  it('defaults: port 8000, database portfolio_db, keep-alive above the LB idle timeout, grace 20 s', () => {
    const config = loadConfig({});
    expect(config.appEnv).toBe('development');
    expect(config.http).toStrictEqual({
      host: '0.0.0.0',
      port: 8000,
      http2: false,
      keepAliveTimeoutMs: 65000,
      headersTimeoutMs: 66000,
      requestTimeoutMs: 120000,
      corsOrigins: [],
      accessLog: true,
      shutdownGraceMs: 20000,
    });
    expect(config.mongo.uri).toBeUndefined();
    expect(config.mongo.database).toBe('portfolio_db');
    expect(config.mongo.writeConcern).toBe(1);
    expect(config.mongo.compressors).toStrictEqual(['zstd', 'snappy', 'zlib']);
  });

  it('every setting is overridable and the result is deeply frozen', () => {
    const config = loadConfig({
      APP_ENV: 'production',
      ...URI,
      PORT: '9000',
      HTTP2: 'true',
      MIN_POOL_SIZE: '2',
      MAX_POOL_SIZE: '4',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      LOG_LEVEL: 'error',
      CORS_ORIGINS: 'https://a.example, http://b.example:3000',
      MONGODB_WRITE_CONCERN: 'majority',
      MONGODB_JOURNAL: 'true',
      MONGODB_COMPRESSORS: 'zlib',
      OTEL_RESOURCE_ATTRIBUTES: 'team=pm,region=eu',
      MY_POD_NAME: 'api-0',
    });
    expect(config.http.port).toBe(9000);
    expect(config.http.http2).toBe(true);
    expect([config.mongo.minPoolSize, config.mongo.maxPoolSize]).toStrictEqual([2, 4]);
    expect(config.telemetry.traceSampleRatio).toBe(0.25);
    expect(config.log.level).toBe('error');
    expect(config.http.corsOrigins).toStrictEqual(['https://a.example', 'http://b.example:3000']);
    expect(config.mongo.writeConcern).toBe('majority');
    expect(config.mongo.journal).toBe(true);
    expect(config.mongo.compressors).toStrictEqual(['zlib']);
    expect(config.telemetry.resourceAttributes).toStrictEqual({ team: 'pm', region: 'eu' });
    expect(config.pod.podName).toBe('api-0');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.http.corsOrigins)).toBe(true);
    expect(() => {
      (config.http as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});

describe('bad values stop start-up with one line naming the variable and the accepted values', () => {
  it.each([
    [{ APP_ENV: 'prod' }, 'Invalid APP_ENV="prod": expected development | staging | production | test'],
    [{ PORT: 'eighty' }, 'Invalid PORT="eighty": expected integer 0..65535'],
    [{ PORT: '70000' }, 'Invalid PORT="70000": expected integer 0..65535'],
    [{ LOG_LEVEL: 'loud' }, 'Invalid LOG_LEVEL="loud": expected fatal | error | warn | info | debug | trace | silent'],
    [{ HTTP2: 'maybe' }, 'Invalid HTTP2="maybe": expected true | false'],
    [{ MONGODB_URI: 'http://x' }, 'Invalid MONGODB_URI="http://x": expected mongodb:// or mongodb+srv:// URI'],
    [{ OTEL_TRACES_SAMPLER_ARG: '2' }, 'Invalid OTEL_TRACES_SAMPLER_ARG="2": expected number 0..1'],
    [{ MIN_POOL_SIZE: '60' }, 'Invalid MIN_POOL_SIZE=60: expected at most MAX_POOL_SIZE (50)'],
    [{ KEEP_ALIVE_TIMEOUT_MS: '70000' }, 'Invalid HEADERS_TIMEOUT_MS=66000: expected more than KEEP_ALIVE_TIMEOUT_MS (70000)'],
    [{ CORS_ORIGINS: 'not a url' }, 'Invalid CORS_ORIGINS="not a url": expected comma-separated origins (https://a.example,http://b:3000) or *'],
    [{ APP_ENV: 'production' }, 'Missing MONGODB_URI: expected a mongodb:// or mongodb+srv:// URI (required when APP_ENV=production)'],
    [{ APP_ENV: 'staging' }, 'Missing MONGODB_URI: expected a mongodb:// or mongodb+srv:// URI (required when APP_ENV=staging)'],
  ])('%j', (env, message) => {
    const line = errorOf(env);
    expect(line).toBe(message);
    expect(line).not.toContain('\n');
  });
});

describe('README', () => {
  it('apps/api/README.md carries the configuration table of every variable config.ts reads', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(renderConfigTable());
    const source = readFileSync(new URL('./config.ts', import.meta.url), 'utf8');
    const read = [...source.matchAll(/read(?:<[^>]*>)?\('([A-Z0-9_]+)'\)/g)].map((m) => m[1]);
    const declared = CONFIG_VARIABLES.map((v) => v.name);
    expect(new Set(read)).toStrictEqual(new Set(declared.filter((n) => n !== 'APP_ENV')));
    for (const name of declared) expect(readme).toContain(`| \`${name}\` |`);
  });

  it('the repository README links to that table instead of repeating it', () => {
    const root = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(root).toContain('(apps/api/README.md#configuration)');
    expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toMatch(/^## Configuration$/m);
    const rows = CONFIG_VARIABLES.filter((v) => root.includes(`| \`${v.name}\` |`)).map((v) => v.name);
    expect(rows).toStrictEqual([]);
  });
});
