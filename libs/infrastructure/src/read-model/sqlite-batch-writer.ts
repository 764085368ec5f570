import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { CheckpointConflictError, type BatchWrites } from '#domain/projections/projection.js';
import {
  batchSteps,
  runWriteSteps,
  type PrepareStatement,
  type StepConflict,
  type WriteStep,
} from './sqlite-read-model.transaction.js';

interface WriterData {
  readonly driver: string;
  readonly file: string;
  readonly busyTimeoutMs: number;
}

type WriterRequest = { readonly id: number; readonly steps: readonly WriteStep[] };
type WriterReply =
  | { readonly id: number; readonly conflict?: StepConflict }
  | { readonly id: number; readonly error: { readonly message: string; readonly code?: string } };

/**
 * The writer thread's body, sent as source text (so it runs the same from TypeScript sources and
 * from the compiled output): it must not use anything from this module's scope. It opens its own
 * connection to the file and runs each request's steps as one BEGIN IMMEDIATE transaction, in
 * the order they arrive, replying once each has committed or rolled back.
 */
function writerThread(load: NodeJS.Require, runSteps: typeof runWriteSteps): void {
  const { parentPort, workerData } = load('node:worker_threads') as typeof import('node:worker_threads');
  const { driver, file, busyTimeoutMs } = workerData as WriterData;
  const Driver = load(driver) as typeof Database;
  const db = new Driver(file);
  db.pragma('synchronous = NORMAL');
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
  parentPort!.on('message', ({ id, steps }: WriterRequest) => {
    let reply: WriterReply;
    try {
      db.exec('BEGIN IMMEDIATE');
      const conflict = runSteps(prepare, steps);
      if (conflict === null) {
        db.exec('COMMIT');
        reply = { id };
      } else {
        db.exec('ROLLBACK');
        reply = { id, conflict };
      }
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      const { message, code } = error as { message?: string; code?: string };
      reply = { id, error: { message: String(message ?? error), ...(code === undefined ? {} : { code }) } };
    }
    parentPort!.postMessage(reply);
  });
}

const WRITER_SOURCE = `'use strict';\n(${writerThread.toString()})(require, ${runWriteSteps.toString()});\n`;

/**
 * Commits projector batches to an SQLite file from a thread of its own: the projector's thread
 * encodes each batch (documents as JSON, their columns) and goes on reading and folding the next
 * while this one runs the statements, the commit and the WAL checkpoints on the other core.
 * Batches commit in the order they are sent; each promise settles once its batch has committed
 * (or rolled back: CheckpointConflictError when another projector moved a checkpoint).
 */
export class SqliteBatchWriter {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(): void; reject(error: Error): void }>();
  private readonly sent = new Set<Promise<void>>();

  constructor(
    private readonly file: string,
    private readonly busyTimeoutMs: number,
  ) {}

  commit(writes: BatchWrites): Promise<void> {
    const steps = batchSteps(writes);
    const worker = (this.worker ??= this.spawn());
    const id = this.nextId++;
    const committed = new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Keeps the process alive only while a batch is on its way.
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, steps } satisfies WriterRequest);
    });
    this.sent.add(committed);
    const forget = (): void => void this.sent.delete(committed);
    committed.then(forget, forget);
    return committed;
  }

  /** Waits for the batches sent, then stops the thread. */
  async close(): Promise<void> {
    await Promise.allSettled(this.sent);
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private spawn(): Worker {
    const workerData: WriterData = {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      file: this.file,
      busyTimeoutMs: this.busyTimeoutMs,
    };
    const worker = new Worker(WRITER_SOURCE, { eval: true, workerData });
    worker.unref();
    worker.on('message', (reply: WriterReply) => this.settle(reply));
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      const waiting = [...this.pending.values()];
      this.pending.clear();
      for (const { reject } of waiting) reject(error);
    };
    worker.on('error', (error) => fail(new Error(`read-model writer thread failed: ${error.message}`)));
    worker.on('exit', (code) => fail(new Error(`read-model writer thread exited (code ${code})`)));
    return worker;
  }

  private settle(reply: WriterReply): void {
    const entry = this.pending.get(reply.id);
    if (entry === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if ('error' in reply) {
      entry.reject(Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {}));
    } else if (reply.conflict) {
      const { name, expected, actual } = reply.conflict;
      entry.reject(new CheckpointConflictError(name, expected, actual));
    } else {
      entry.resolve();
    }
  }
}
