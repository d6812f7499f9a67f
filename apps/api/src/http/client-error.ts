import type { Duplex } from 'node:stream';

/** A raw HTTP/1.1 answer with a JSON `detail`, after which the connection closes. */
function rawAnswer(status: number, reason: string, detail: string): string {
  const body = JSON.stringify({ detail });
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** The answer to CONNECT: it names an authority (host:port), never a path of this service. */
export const CONNECT_NOT_FOUND = rawAnswer(404, 'Not Found', 'Not Found');

/** The answer to a request Node's parser rejected, by its code; llhttp's reason names the problem. */
function clientErrorAnswer(error: Error & { code?: unknown; reason?: unknown }): string {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return rawAnswer(431, 'Request Header Fields Too Large', 'Request header fields too large');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return rawAnswer(413, 'Payload Too Large', 'Chunk extensions too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return rawAnswer(408, 'Request Timeout', 'Request timeout');
    default: {
      // llhttp's reasons are fixed texts ("Invalid method encountered"); anything else is not shown.
      const reason = typeof error.reason === 'string' && /^[A-Za-z ,'-]{1,100}$/.test(error.reason) ? error.reason : 'malformed request';
      return rawAnswer(400, 'Bad Request', `Bad Request: ${reason}`);
    }
  }
}

/**
 * Handles a parser error on a connection the way Node does by default (an answer when nothing of a
 * response has been written yet, then the connection closes), with a JSON body, and reports its code.
 */
export function answerClientError(error: Error & { code?: unknown }, socket: Duplex, report: ((code: string) => void) | undefined): void {
  report?.(typeof error.code === 'string' ? error.code : 'unknown');
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (error.code !== 'ECONNRESET' && socket.writable && inFlight?.headersSent !== true) socket.write(clientErrorAnswer(error));
  socket.destroy();
}
