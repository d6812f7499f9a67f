import { createServer } from 'node:http';

// Placeholder until the Koa service lands: answers the plain health probe only.
const port = Number(process.env.PORT ?? 8000);
createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'Not Found' }));
}).listen(port, () => console.log(JSON.stringify({ msg: 'listening', port })));
