import { parentPort, workerData } from 'node:worker_threads';
import { startEngine } from './engine.js';
import type { EngineConfig } from './engine.js';
import type { IntervalSnapshot } from './stats/recorder.js';

/** Messages a generator worker posts to the coordinating thread. */
export type WorkerMessage =
  | { type: 'interval'; snapshot: IntervalSnapshot }
  | { type: 'done'; items: EngineConfig['items'] }
  | { type: 'error'; message: string };

const port = parentPort;
if (port !== null) {
  const config = workerData as EngineConfig;
  const handle = startEngine(config, (snapshot) => port.postMessage({ type: 'interval', snapshot } satisfies WorkerMessage));
  port.on('message', (msg: unknown) => {
    if (msg === 'stop') handle.stop();
  });
  handle.done.then(
    (r) => port.postMessage({ type: 'done', items: r.items } satisfies WorkerMessage),
    (err: unknown) => port.postMessage({ type: 'error', message: String(err) } satisfies WorkerMessage),
  );
}
