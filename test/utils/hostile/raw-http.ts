import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export interface HostileRequest {
  method: string;
  /** Already encoded as it goes on the wire (it may hold deliberately broken escapes). */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request over a fresh connection, with nothing normalised by a client library. */
export function send(port: number, req: HostileRequest, timeoutMs = 15_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...req.headers, connection: 'close' };
    if (req.body !== undefined) headers['content-length'] = req.body.length;
    const outgoing = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.path, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms to ${req.method} ${req.path}`)));
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      // The server may answer (413, 415) and close before reading a large body: that is an answer.
      reject(error);
    });
    outgoing.end(req.body);
  });
}

/** Bytes a client library would refuse to send (NUL in a header, a broken request line). */
export function sendRaw(port: number, bytes: Buffer | string, timeoutMs = 15_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('no answer to a raw request')));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...headerLines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const at = line.indexOf(':');
        if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers, text: rest.join('\r\n\r\n') });
    });
    socket.end(bytes);
  });
}
