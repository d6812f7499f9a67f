import { startFaultProxy, type FaultProxy } from '@globeco/testkit';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { startApi, stopAllApis, type ApiProcess } from './api-process.js';
import { createHttpClient, waitForReady, type HttpClient } from './http.js';

/** An API process whose MongoDB connection goes through a fault proxy, with an HTTP client to it. */
export interface ApiBehindProxy {
  readonly proxy: FaultProxy;
  readonly api: ApiProcess;
  readonly http: HttpClient;
}

/**
 * Registers hooks that start, before the tests of the enclosing file or `describe`, a fault proxy in
 * front of the test MongoDB and an API on it (`env` plus `MONGODB_URI`), wait until it is ready, and
 * stop everything afterwards. The returned object is usable inside the tests.
 */
export function useApiBehindProxy(env: Record<string, string>, connections: number): ApiBehindProxy {
  let started: ApiBehindProxy | undefined;
  let proxy: FaultProxy | undefined;
  let http: HttpClient | undefined;

  beforeAll(async () => {
    proxy = await startFaultProxy(inject('mongoUri'));
    const api = await startApi({ MONGODB_URI: proxy.uri, ...env });
    http = createHttpClient(api.baseUrl, connections);
    expect(await waitForReady(http, 15_000)).toBe(true);
    started = { proxy, api, http };
  });

  afterAll(async () => {
    await http?.close();
    await stopAllApis();
    await proxy?.stop();
  });

  const get = (): ApiBehindProxy => {
    if (started === undefined) throw new Error('the API behind the proxy is not started (used outside a test?)');
    return started;
  };
  return {
    get proxy() {
      return get().proxy;
    },
    get api() {
      return get().api;
    },
    get http() {
      return get().http;
    },
  };
}
