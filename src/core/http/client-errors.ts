import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { problem } from './problem';

// Node's parser errors (llhttp codes) that a client caused, with the answer each deserves.
const ANSWERS: Record<string, { status: number; reason: string; code: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    code: 'HEADERS_TOO_LARGE',
    detail: 'The request headers are larger than this server accepts (16 KiB in all).',
  },
};
const BAD_REQUEST = { status: 400, reason: 'Bad Request', code: 'MALFORMED_REQUEST', detail: 'The HTTP request could not be parsed.' };

/**
 * Requests Node refuses before any middleware runs (oversized headers, malformed request lines
 * or header values) get problem+json instead of Node's bare status line, where the socket is
 * still writable. Without a handler Node answers 400/431 with an empty body.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const answer = (error.code && ANSWERS[error.code]) || BAD_REQUEST;
    const body = JSON.stringify(problem(answer.status, answer.code, answer.detail));
    socket.end(
      `HTTP/1.1 ${answer.status} ${answer.reason}\r\n` +
        'Content-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
