import { hostname } from 'node:os';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { ProjectionDefinition, ProjectionLock, ReadModelStore } from '#domain/projections/projection.js';
import { applyBatch, type ProjectionState } from './projection-batch.js';

export interface ProjectionEngineOptions {
  /** Events per transaction while catching up (default 2000); live batches are what arrived. */
  readonly batchSize?: number;
  /** This projector's name in locks. */
  readonly owner?: string;
  readonly log?: (line: string) => void;
}

/**
 * The projector: one catch-up subscription on the global log feeding every projection whose
 * checkpoint is behind, one read-model transaction per batch (documents and checkpoints
 * together). Each projection is locked first so only one projector runs it. A projection whose
 * code version has no active tables yet is built from zero beside the old version and
 * activated once it has caught up.
 */
export class ProjectionEngine {
  private readonly states: ProjectionState[] = [];
  private readonly locks: ProjectionLock[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly events: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly projections: readonly ProjectionDefinition[],
    private readonly options: ProjectionEngineOptions = {},
  ) {}

  /** Locks and prepares the projections; returns the names someone else is running. */
  async start(): Promise<string[]> {
    const busy: string[] = [];
    for (const definition of this.projections) {
      // A projector restarted on the same host takes its own lease back at once; another host
      // waits for it to expire. Checkpoints are compare-and-set anyway.
      const lock = await this.readModels.tryLock(definition.name, this.options.owner ?? `projector@${hostname()}`);
      if (!lock) {
        busy.push(definition.name);
        continue;
      }
      this.locks.push(lock);
      await this.readModels.ensure(definition);
      this.states.push({
        definition,
        checkpoint: await this.readModels.checkpoint(definition.name, definition.version),
      });
    }
    return busy;
  }

  /** Lowest checkpoint of the projections this engine runs. */
  get checkpoint(): number {
    return this.states.length === 0 ? 0 : Math.min(...this.states.map((s) => s.checkpoint));
  }

  /**
   * Runs until `signal` aborts (live), or until caught up with the head when `untilCaughtUp`.
   */
  async run(options: { readonly signal?: AbortSignal; readonly untilCaughtUp?: boolean } = {}): Promise<void> {
    if (this.states.length === 0) return;
    const subscription = this.events.subscribeToAll({
      after: this.checkpoint,
      maxBatchSize: this.options.batchSize ?? 2000,
      filter: { eventTypes: [...new Set(this.states.flatMap((s) => s.definition.eventTypes)), 'CommitDiscovered'] },
    });
    const abort = (): void => void subscription.close();
    options.signal?.addEventListener('abort', abort, { once: true });
    // SQLite locks are leases: renew them while running (PostgreSQL's advisory locks need not).
    const renewal = setInterval(() => {
      for (const lock of this.locks) void (lock as ProjectionLock & { renew?: () => Promise<void> }).renew?.();
    }, 10_000);
    const batches = subscription[Symbol.asyncIterator]();
    let next = batches.next();
    try {
      for (;;) {
        const result = await next;
        if (result.done) break;
        const batch = result.value;
        let prefetched = false;
        // Catching up: the next batch is read from the log while this one's writes run (on a
        // server database that overlaps; SQLite runs them at once, so it changes nothing there).
        const prefetch = batch.caughtUp
          ? undefined
          : () => {
              next = batches.next();
              next.catch(() => {}); // awaited on the next turn; never left unobserved
              prefetched = true;
            };
        if (batch.position > this.checkpoint) {
          let touched;
          try {
            touched = await this.readModels.transaction((tx) =>
              applyBatch(tx, this.states, batch.events, batch.position, prefetch),
            );
          } catch (error) {
            // Rolled back (or unknown): what the last batch left in memory may no longer be stored.
            for (const state of this.states) state.documents = undefined;
            throw error;
          }
          for (const state of this.states) {
            state.checkpoint = Math.max(state.checkpoint, batch.position);
            state.documents = touched.get(state) ?? state.documents;
          }
          for (const listener of this.listeners) listener();
        }
        if (batch.caughtUp) {
          await this.activateCaughtUp();
          if (options.untilCaughtUp) return;
        }
        if (!prefetched) next = batches.next();
      }
    } finally {
      clearInterval(renewal);
      options.signal?.removeEventListener('abort', abort);
      await subscription.close();
      await batches.return?.();
    }
  }

  /** A version built beside an older one becomes the one queries read once it has caught up. */
  private async activateCaughtUp(): Promise<void> {
    for (const { definition } of this.states) {
      const active = await this.readModels.activeVersion(definition.name);
      if (active === definition.version) continue;
      await this.readModels.activate(definition.name, definition.version);
      if (active !== null) await this.readModels.drop(definition.name, active);
      this.options.log?.(
        `projection ${definition.name}: version ${definition.version} active${active === null ? '' : ` (replaced version ${active})`}`,
      );
    }
  }

  /**
   * Read-your-writes: resolves once every projection has passed `position`, or with false after
   * `timeoutMs`.
   */
  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if (this.checkpoint >= position) return Promise.resolve(true);
    return new Promise((done) => {
      const check = (): void => {
        if (this.checkpoint < position) return;
        finish(true);
      };
      const finish = (value: boolean): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        done(value);
      };
      const timer = setTimeout(() => finish(this.checkpoint >= position), timeoutMs);
      this.listeners.add(check);
    });
  }

  async stop(): Promise<void> {
    for (const lock of this.locks.splice(0)) await lock.release();
  }
}

/**
 * Read-your-writes across processes (an API replica and a separate projector): polls the
 * stored checkpoints until every projection has passed `position`, at most `timeoutMs`.
 */
export async function waitForCheckpoints(
  readModels: ReadModelStore,
  projections: readonly ProjectionDefinition[],
  position: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const positions = await Promise.all(projections.map((p) => readModels.checkpoint(p.name, p.version)));
    if (Math.min(...positions) >= position) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((done) => setTimeout(done, 10));
  }
}
