/**
 * A local OTLP/HTTP sink: answers 200 to every POST (/v1/traces, /v1/metrics, /v1/logs) and counts
 * requests and bytes per path; GET /stats returns the counts. Prints `listening <port>`.
 */
import { createServer } from 'node:http';

const counts: Record<string, { requests: number; bytes: number }> = {};

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(counts));
    return;
  }
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  req.on('end', () => {
    const entry = (counts[req.url ?? '/'] ??= { requests: 0, bytes: 0 });
    entry.requests++;
    entry.bytes += bytes;
    const json = (req.headers['content-type'] ?? '').includes('json');
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(json ? '{}' : undefined);
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address !== null ? address.port : 0}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
