import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

/**
 * The floor of `npm run bench:series`: bare node:http answering, from memory, the very bytes the
 * app answered (`GET /<name>`), and reading a request body to the end before answering 201
 * (`POST`). No framework, no auth, no database. Argument: a directory of `<name>` files with a
 * `<name>.type` beside each. Reports `{port}` over IPC.
 */
const dir = process.argv[2];
const bodies = new Map<string, { body: Buffer; type: string }>();
const server = createServer((req, res) => {
  if (req.method === 'POST') {
    req.on('data', () => undefined);
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': 2 });
      res.end('{}');
    });
    return;
  }
  const name = req.url!.slice(1);
  let entry = bodies.get(name);
  if (!entry) {
    entry = { body: readFileSync(`${dir}/${name}`), type: readFileSync(`${dir}/${name}.type`, 'utf8') };
    bodies.set(name, entry);
  }
  res.writeHead(200, { 'content-type': entry.type, 'content-length': entry.body.length });
  res.end(entry.body);
});
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
process.on('disconnect', () => process.exit(0));
