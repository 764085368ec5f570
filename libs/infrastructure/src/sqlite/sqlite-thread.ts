import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** Prepares a statement on a connection that keeps the few it is given. */
export type PrepareStatement = (sql: string) => Database.Statement;

/**
 * What a thread does with one request, on its own connection. It runs as source text in the
 * thread (so it runs the same from TypeScript sources and from the compiled output): it must
 * not use anything from its module's scope; the thread passes the connection and a statement
 * cache.
 */
export type ThreadHandler<Request, Reply> = (
  db: Database.Database,
  prepare: PrepareStatement,
  request: Request,
) => Reply;

interface HostData {
  readonly driver: string;
  readonly file: string;
  readonly readonly: boolean;
  readonly busyTimeoutMs: number;
}

type Envelope =
  | { readonly id: number; readonly value: unknown }
  | { readonly id: number; readonly error: { readonly message: string; readonly code?: string } };

/** The thread's body (source text, see ThreadHandler): one connection, requests answered in order. */
function threadHost(load: NodeJS.Require, handler: ThreadHandler<unknown, unknown>): void {
  const { parentPort, workerData } = load('node:worker_threads') as typeof import('node:worker_threads');
  const { driver, file, readonly, busyTimeoutMs } = workerData as HostData;
  const Driver = load(driver) as typeof Database;
  const db = new Driver(file, { readonly });
  if (!readonly) db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  const statements = new Map<string, Database.Statement>();
  const prepare: PrepareStatement = (sql) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  parentPort!.on('message', ({ id, request }: { id: number; request: unknown }) => {
    let reply: Envelope;
    try {
      reply = { id, value: handler(db, prepare, request) };
    } catch (error) {
      const { message, code } = error as { message?: string; code?: string };
      reply = { id, error: { message: String(message ?? error), ...(code === undefined ? {} : { code }) } };
    }
    parentPort!.postMessage(reply);
  });
}

export interface SqliteThreadOptions {
  /** For messages: what the thread is for ("read-model writer"). */
  readonly name: string;
  readonly readonly?: boolean;
  readonly busyTimeoutMs?: number;
}

/**
 * A thread with its own connection to an SQLite file, answering requests in the order they are
 * sent (better-sqlite3 is synchronous: this is how its work leaves the caller's thread). The
 * handler is given as source text (`handlerSource`, usually `String(fn)` or a call building one).
 * Started on the first request; keeps the process alive only while requests are pending; if it
 * dies, pending requests fail and the next one starts a new thread.
 */
export class SqliteThread<Request, Reply> {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: Reply): void; reject(error: Error): void }>();
  private readonly sent = new Set<Promise<Reply>>();
  private readonly source: string;

  constructor(
    private readonly file: string,
    handlerSource: string,
    private readonly options: SqliteThreadOptions,
  ) {
    this.source = `'use strict';\n(${threadHost.toString()})(require, ${handlerSource});\n`;
  }

  request(request: Request): Promise<Reply> {
    const worker = (this.worker ??= this.spawn());
    const id = this.nextId++;
    const reply = new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, request });
    });
    this.sent.add(reply);
    const forget = (): void => void this.sent.delete(reply);
    reply.then(forget, forget);
    return reply;
  }

  /** Waits for the requests sent, then stops the thread. */
  async close(): Promise<void> {
    await Promise.allSettled(this.sent);
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private spawn(): Worker {
    const workerData: HostData = {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      file: this.file,
      readonly: this.options.readonly ?? false,
      busyTimeoutMs: this.options.busyTimeoutMs ?? 10_000,
    };
    const worker = new Worker(this.source, { eval: true, workerData });
    worker.unref();
    worker.on('message', (reply: Envelope) => this.settle(reply));
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      const waiting = [...this.pending.values()];
      this.pending.clear();
      for (const { reject } of waiting) reject(error);
    };
    worker.on('error', (error) => fail(new Error(`${this.options.name} thread failed: ${error.message}`)));
    worker.on('exit', (code) => fail(new Error(`${this.options.name} thread exited (code ${code})`)));
    return worker;
  }

  private settle(reply: Envelope): void {
    const entry = this.pending.get(reply.id);
    if (entry === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if ('error' in reply) {
      entry.reject(Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {}));
    } else {
      entry.resolve(reply.value as Reply);
    }
  }
}
