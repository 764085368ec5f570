/**
 * Child process of `bench/api.bench.ts`: the API as `dlrn api` runs it (`argv[2]`: projects.ini),
 * or with `--bare` a bare `node:http` server answering a fixed JSON body (small, or `?bytes=N`), the
 * baseline.
 * Prints `{"port": n}` once listening; closing its stdin closes it cleanly (so `--cpu-prof` is
 * written: Nest's shutdown hooks own the signals).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiApp } from '../apps/api/src/api.app.js';
import { loadProjectsIni } from '#infrastructure/config/index.js';

const [arg] = process.argv.slice(2);
let close: () => Promise<void>;
let port: number;
if (arg === '--bare') {
  const small = Buffer.from(JSON.stringify({ result: 'ok' }));
  // `/?bytes=N`: a fixed body of N bytes, the baseline for answers of that size.
  const sized = new Map<number, Buffer>();
  const server = createServer((request, response) => {
    const bytes = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('bytes') ?? 0);
    let body: Buffer = small;
    if (bytes > 0) {
      body = sized.get(bytes) ?? Buffer.from(JSON.stringify({ padding: 'x'.repeat(Math.max(0, bytes - 14)) }));
      sized.set(bytes, body);
    }
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    response.end(body);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  port = (server.address() as AddressInfo).port;
  close = () => new Promise((closed) => server.close(() => closed()));
} else {
  const app = await createApiApp(loadProjectsIni(arg!), { logLevel: 'silent' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.getHttpServer().address() as AddressInfo).port;
  close = () => app.close();
}
process.stdin.resume();
process.stdin.once('end', () => {
  void close().finally(() => process.exit(0));
});
process.stdout.write(`${JSON.stringify({ port })}\n`);
