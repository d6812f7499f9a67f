import { describe, expect, it } from 'vitest';
import { areaOf, summarizeCpuProfile, type CpuProfile } from './cpu-profile.js';

describe('areaOf', () => {
  it('names npm packages (scoped or not, pnpm layout), workspace packages, node internals and V8 frames', () => {
    expect(areaOf('file:///w/node_modules/.pnpm/mongodb@7.9.0/node_modules/mongodb/lib/cmap/connection.js', 'f')).toBe('mongodb');
    expect(areaOf('file:///w/node_modules/.pnpm/x/node_modules/@opentelemetry/api/build/index.js', 'f')).toBe('@opentelemetry/api');
    expect(areaOf('file:///w/apps/api/dist/runtime-H4.js', 'f')).toBe('apps/api');
    expect(areaOf('node:internal/streams/writable', 'f')).toBe('node:streams');
    expect(areaOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(areaOf('', 'writev')).toBe('(native)');
  });
});

describe('summarizeCpuProfile', () => {
  it('shares self time among areas and functions, leaving idle time out', () => {
    const profile: CpuProfile = {
      startTime: 0,
      endTime: 10_000_000, // 10 s in µs
      nodes: [
        { id: 1, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 }, hitCount: 5 },
        { id: 2, callFrame: { functionName: 'deserialize', url: 'file:///w/node_modules/bson/lib/bson.cjs', lineNumber: 9 }, hitCount: 3 },
        { id: 3, callFrame: { functionName: '', url: 'file:///w/apps/api/dist/main.js', lineNumber: 0 }, hitCount: 1 },
        { id: 4, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 }, hitCount: 1 },
        { id: 5, callFrame: { functionName: 'root', url: '', lineNumber: -1 } },
      ],
    };
    expect(summarizeCpuProfile(profile, 2)).toStrictEqual({
      wallMs: 10_000,
      busyMs: 5000,
      byArea: [
        { name: 'bson', selfPct: 60, selfMs: 3000 },
        { name: 'apps/api', selfPct: 20, selfMs: 1000 },
      ],
      topFunctions: [
        { name: 'deserialize bson/lib/bson.cjs:10', selfPct: 60, selfMs: 3000 },
        { name: '(anonymous) apps/api/dist/main.js:1', selfPct: 20, selfMs: 1000 },
      ],
    });
  });
});

describe('summarizeCpuProfile with a window', () => {
  it('counts only the samples inside the window, so start-up and shutdown stay out', () => {
    const profile: CpuProfile = {
      startTime: 1000,
      endTime: 5000,
      nodes: [
        { id: 1, callFrame: { functionName: 'compileFunction', url: 'node:internal/vm', lineNumber: 0 }, hitCount: 2 },
        { id: 2, callFrame: { functionName: 'findOne', url: 'file:///w/node_modules/mongodb/lib/collection.js', lineNumber: 4 }, hitCount: 2 },
      ],
      samples: [1, 1, 2, 2],
      timeDeltas: [1000, 1000, 1000, 1000], // samples at 2000, 3000, 4000, 5000 µs
    };
    expect(summarizeCpuProfile(profile, 5, { startUs: 3500, endUs: 5000 })).toStrictEqual({
      wallMs: 1.5,
      busyMs: 1.5,
      byArea: [{ name: 'mongodb', selfPct: 100, selfMs: 1.5 }],
      topFunctions: [{ name: 'findOne mongodb/lib/collection.js:5', selfPct: 100, selfMs: 1.5 }],
    });
  });
});
