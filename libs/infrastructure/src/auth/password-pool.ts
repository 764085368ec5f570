import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SCRYPT_KEY_LENGTH, SCRYPT_MAX_MEMORY, SCRYPT_PARAMS, formatScrypt, parseScrypt } from './password-hasher.js';
import { parseSha512Crypt, sha512CryptSteps } from './sha512-crypt.js';

/** What a thread is asked: plain data, parsed on the caller's side (parsing is cheap, hashing is not). */
type Job =
  | {
      readonly op: 'scrypt';
      readonly password: string;
      readonly salt: Uint8Array;
      readonly params: { readonly N: number; readonly r: number; readonly p: number; readonly maxmem: number };
      readonly keyLength: number;
      /** Compared in constant time when given; otherwise the derived key is the answer. */
      readonly expected: Uint8Array | null;
    }
  | {
      readonly op: 'sha512-crypt';
      readonly password: string;
      readonly salt: string;
      readonly rounds: number;
      readonly checksum: string;
    };

type Reply =
  { readonly id: number; readonly value: boolean | Uint8Array } | { readonly id: number; readonly error: string };

/**
 * The thread's body, run as source text (as SqliteThread's, so it runs alike from the sources and
 * the compiled output): it must use nothing from this module's scope.
 */
function passwordThread(load: NodeJS.Require, steps: typeof sha512CryptSteps): void {
  const { parentPort } = load('node:worker_threads') as typeof import('node:worker_threads');
  const crypto = load('node:crypto') as typeof import('node:crypto');
  const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && crypto.timingSafeEqual(a, b);
  const run = (job: Job): boolean | Uint8Array => {
    if (job.op === 'scrypt') {
      const key = crypto.scryptSync(job.password, job.salt, job.expected?.length ?? job.keyLength, job.params);
      return job.expected === null ? key : equal(key, job.expected);
    }
    const checksum = steps(() => crypto.createHash('sha512'), job.password, job.salt, job.rounds);
    let step = checksum.next();
    while (!step.done) step = checksum.next();
    return equal(Buffer.from(step.value, 'latin1'), Buffer.from(job.checksum, 'latin1'));
  };
  parentPort!.on('message', ({ id, job }: { id: number; job: Job }) => {
    let reply: Reply;
    try {
      reply = { id, value: run(job) };
    } catch (error) {
      reply = { id, error: String((error as Error).message ?? error) };
    }
    parentPort!.postMessage(reply);
  });
}

/** Refused at once: more verifications are waiting than the pool's queue holds. */
export class PasswordPoolBusyError extends Error {
  readonly code = 'PASSWORD_POOL_BUSY';
}

export interface PasswordPoolOptions {
  /** Threads hashing at once; default 2 (1 on a single core): hashing must leave cores to serving. */
  readonly threads?: number;
  /** Jobs waiting for a thread beyond which new ones are refused; default 64. */
  readonly maxQueued?: number;
}

interface Pending {
  readonly id: number;
  readonly job: Job;
  resolve(value: boolean | Uint8Array): void;
  reject(error: Error): void;
}

/**
 * Password hashing and verification off the main thread: a few worker threads, a bounded FIFO
 * queue in front of them. A 656,000-round sha512_crypt costs a thread half a second or more; on
 * the main thread it stalled the API, the projector and the builder alike.
 */
export class PasswordPool {
  private readonly threads: number;
  private readonly maxQueued: number;
  private readonly source = `'use strict';\n(${passwordThread.toString()})(require, ${sha512CryptSteps.toString()});\n`;
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private spawned = 0;
  private closed = false;
  /** Verifications and hashes run so far (for the bench and the logs). */
  completed = 0;

  constructor(options: PasswordPoolOptions = {}) {
    this.threads = Math.max(1, options.threads ?? Math.min(2, availableParallelism()));
    this.maxQueued = options.maxQueued ?? 64;
  }

  /**
   * Checks a password against a stored hash (`$scrypt$` or `$6$`), in constant time; false for
   * anything else. Rejects with PasswordPoolBusyError when the queue is full.
   */
  async verify(password: string, stored: string): Promise<boolean> {
    const scrypt = parseScrypt(stored);
    if (scrypt !== null) {
      const { N, r, p, salt, hash } = scrypt;
      const job: Job = {
        op: 'scrypt',
        password,
        salt,
        params: { N, r, p, maxmem: SCRYPT_MAX_MEMORY },
        keyLength: hash.length,
        expected: hash,
      };
      return (await this.run(job)) === true;
    }
    const sha = parseSha512Crypt(stored);
    if (sha !== null) {
      return (
        (await this.run({
          op: 'sha512-crypt',
          password,
          salt: sha.salt,
          rounds: sha.rounds,
          checksum: sha.checksum,
        })) === true
      );
    }
    return false;
  }

  /** A new `$scrypt$` hash of `password`, as `hashPassword` makes it. */
  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await this.run({
      op: 'scrypt',
      password,
      salt,
      params: { ...SCRYPT_PARAMS, maxmem: SCRYPT_MAX_MEMORY },
      keyLength: SCRYPT_KEY_LENGTH,
      expected: null,
    });
    if (!(key instanceof Uint8Array)) throw new Error('password thread answered no key');
    return formatScrypt(salt, Buffer.from(key));
  }

  /** Stops the threads; what is queued is refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new Error('password pool closed'));
    const workers = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private run(job: Job): Promise<boolean | Uint8Array> {
    if (this.closed) return Promise.reject(new Error('password pool closed'));
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(new PasswordPoolBusyError(`${this.queue.length} password checks are already waiting`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.spawned < this.threads ? this.spawn() : undefined);
      if (worker === undefined) return;
      const pending = this.queue.shift()!;
      this.busy.set(worker, pending);
      worker.ref();
      worker.postMessage({ id: pending.id, job: pending.job });
    }
  }

  private spawn(): Worker {
    const worker = new Worker(this.source, { eval: true });
    this.spawned += 1;
    worker.on('message', (reply: Reply) => {
      const pending = this.busy.get(worker);
      this.busy.delete(worker);
      // An idle thread must not keep the process alive.
      worker.unref();
      this.completed += 1;
      if (pending !== undefined && pending.id === reply.id) {
        if ('error' in reply) pending.reject(new Error(`password thread: ${reply.error}`));
        else pending.resolve(reply.value);
      }
      if (!this.closed) this.idle.push(worker);
      this.dispatch();
    });
    // A crashed thread says so twice ('error', then 'exit'): it is lost once.
    let gone = false;
    const lost = (error: Error): void => {
      if (gone) return;
      gone = true;
      const pending = this.busy.get(worker);
      this.busy.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      this.spawned -= 1;
      pending?.reject(error);
      if (!this.closed) this.dispatch();
    };
    worker.once('error', (error) => lost(new Error(`password thread failed: ${error.message}`)));
    worker.once('exit', (code) => lost(new Error(`password thread exited (code ${code})`)));
    return worker;
  }
}
