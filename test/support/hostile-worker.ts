import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** What the worker answers for one path. */
export type WorkerAnswer =
  /** A well-behaved answer: status, Content-Length, the whole body. */
  | { readonly kind: 'file'; readonly body: Buffer | string; readonly status?: number }
  /** No Content-Length, no chunking: the body ends where the connection closes (cut short here). */
  | { readonly kind: 'close-delimited'; readonly body: Buffer }
  /** Headers (with the full Content-Length), then one byte every `everyMs`: never idle, never done. */
  | { readonly kind: 'drip'; readonly body: Buffer; readonly everyMs: number }
  | { readonly kind: 'redirect'; readonly location: string };

/**
 * A remote-import worker that misbehaves on purpose, written on raw sockets so that nothing
 * (Node's HTTP server included) fixes up what it sends. Every answer closes its connection.
 */
export class HostileWorker {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly routes = new Map<string, WorkerAnswer>();
  /** Paths requested, in order. */
  readonly requests: string[] = [];
  url = '';

  constructor() {
    this.server = createServer((socket) => this.accept(socket));
  }

  async start(): Promise<this> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  route(path: string, answer: WorkerAnswer): void {
    this.routes.set(path, answer);
  }

  /** Requests for paths starting with `prefix`. */
  hits(prefix: string): string[] {
    return this.requests.filter((p) => p.startsWith(prefix));
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise((done) => this.server.close(done));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      const path = head.split(' ', 2)[1] ?? '/';
      this.requests.push(path);
      this.answer(socket, this.routes.get(path) ?? { kind: 'file', status: 404, body: 'not found' });
    };
    socket.on('data', onData);
  }

  private answer(socket: Socket, answer: WorkerAnswer): void {
    const head = (status: number, headers: Record<string, string | number>) =>
      `HTTP/1.1 ${status} X\r\n${Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('')}connection: close\r\n\r\n`;
    switch (answer.kind) {
      case 'file': {
        const body = Buffer.from(answer.body);
        socket.end(Buffer.concat([Buffer.from(head(answer.status ?? 200, { 'content-length': body.length })), body]));
        return;
      }
      case 'close-delimited':
        socket.end(Buffer.concat([Buffer.from(head(200, {})), answer.body]));
        return;
      case 'redirect':
        socket.end(head(302, { location: answer.location, 'content-length': 0 }));
        return;
      case 'drip': {
        socket.write(head(200, { 'content-length': answer.body.length }));
        let sent = 0;
        const timer = setInterval(() => {
          if (socket.destroyed || sent >= answer.body.length) {
            clearInterval(timer);
            this.timers.delete(timer);
            return;
          }
          socket.write(answer.body.subarray(sent, sent + 1));
          sent += 1;
        }, answer.everyMs);
        this.timers.add(timer);
        return;
      }
    }
  }
}
