import type { EventStore } from '#domain/shared/event-store.port.js';
import type { ProjectionDefinition, ProjectionLock, ReadModelStore } from '#domain/projections/projection.js';
import { stageBatch, type ProjectionState, type StagedBatch } from './projection-batch.js';
import { isDeadLocalOwner, projectorOwner } from './projector-owner.js';
import { StreamContexts } from './stream-contexts.js';

export interface ProjectionEngineOptions {
  /** Events per transaction while catching up (default 10,000); live batches are what arrived. */
  readonly batchSize?: number;
  /** This projector's name in locks; default unique to this process (see projectorOwner). */
  readonly owner?: string;
  /** How often held leases are renewed (default 10 s; SQLite leases last 30 s). */
  readonly renewEveryMs?: number;
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
  /** The batch being committed. */
  private inFlight: Promise<void> | undefined;
  private readonly streams: StreamContexts;
  private readonly owner: string;

  constructor(
    private readonly events: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly projections: readonly ProjectionDefinition[],
    private readonly options: ProjectionEngineOptions = {},
  ) {
    this.streams = new StreamContexts(events);
    this.owner = options.owner ?? projectorOwner();
  }

  /** Locks and prepares the projections; returns the names someone else is running. */
  async start(): Promise<string[]> {
    const busy: string[] = [];
    for (const definition of this.projections) {
      // A projector restarted after a crash takes its dead predecessor's lease at once; any other
      // waits for the lease to expire. Checkpoints are compare-and-set anyway.
      const lock = await this.readModels.tryLock(definition.name, this.owner, {
        takeOverFrom: (holder) => isDeadLocalOwner(holder),
      });
      if (!lock) {
        busy.push(definition.name);
        continue;
      }
      this.locks.push(lock);
      await this.readModels.ensure(definition);
      const checkpoint = await this.readModels.checkpoint(definition.name, definition.version);
      this.states.push({ definition, checkpoint, stored: checkpoint });
    }
    return busy;
  }

  /** Lowest committed checkpoint of the projections this engine runs. */
  get checkpoint(): number {
    return this.states.length === 0 ? 0 : Math.min(...this.states.map((s) => s.stored));
  }

  /**
   * Runs until `signal` aborts (live), or until caught up with the head when `untilCaughtUp`.
   *
   * Batches go through a pipeline one deep: while the store commits one batch (on SQLite, on a
   * writer thread), the next is read, folded and encoded here, then sent once the first has
   * committed. A failed commit drops the batch folded behind it and everything kept in memory.
   */
  async run(options: { readonly signal?: AbortSignal; readonly untilCaughtUp?: boolean } = {}): Promise<void> {
    if (this.states.length === 0) return;
    const subscription = this.events.subscribeToAll({
      after: this.folded,
      maxBatchSize: this.options.batchSize ?? 10_000,
      filter: { eventTypes: [...new Set(this.states.flatMap((s) => s.definition.eventTypes)), 'CommitDiscovered'] },
    });
    const abort = (): void => void subscription.close();
    options.signal?.addEventListener('abort', abort, { once: true });
    // SQLite locks are leases: renew them while running (PostgreSQL's advisory locks need not).
    // A renewal that fails (a full disk) is retried at the next tick; a lease found taken by
    // another projector ends this run with LeaseLostError, never an unhandled rejection.
    let lost: string | null = null;
    const renewal = setInterval(() => {
      for (const [index, lock] of this.locks.entries()) {
        if (lock.renew === undefined) continue;
        lock.renew().then(
          (held) => {
            if (held || lost !== null) return;
            lost = this.states[index]?.definition.name ?? 'a projection';
            abort();
          },
          (error: unknown) =>
            this.options.log?.(`projector: lease renewal failed (retrying): ${(error as Error).message}`),
        );
      }
    }, this.options.renewEveryMs ?? 10_000);
    const reads = this.readModels.committed();
    try {
      for await (const batch of subscription) {
        if (batch.position > this.folded) {
          const staged = await stageBatch(
            reads,
            this.streams,
            this.states,
            batch.events,
            batch.position,
            this.readModels.keepsHistory,
          );
          await this.settle();
          this.send(staged, batch.position);
        }
        if (batch.caughtUp) {
          await this.settle();
          await this.activateCaughtUp();
          if (options.untilCaughtUp) return;
        }
      }
      await this.settle();
      if (lost !== null) throw new LeaseLostError(lost);
    } finally {
      clearInterval(renewal);
      options.signal?.removeEventListener('abort', abort);
      await subscription.close();
      // After an error, a batch still committing is waited for (the first error is the one thrown).
      await this.settle().catch(() => {});
    }
  }

  /** Position every projection has folded (sent or committed). */
  private get folded(): number {
    return this.states.length === 0 ? 0 : Math.min(...this.states.map((s) => s.checkpoint));
  }

  /** Sends a staged batch; the states move on at once, the committed position when it lands. */
  private send(staged: StagedBatch, position: number): void {
    for (const state of this.states) {
      state.checkpoint = Math.max(state.checkpoint, position);
      state.documents = staged.touched.get(state) ?? state.documents;
    }
    const positions = this.states.map((state) => state.checkpoint);
    this.inFlight = this.readModels.commitBatch(staged.writes).then(() => {
      this.states.forEach((state, index) => (state.stored = positions[index]!));
    });
    this.inFlight.catch(() => {}); // awaited by settle(); never left unobserved meanwhile
  }

  /** Waits for the batch being committed; on failure forgets what memory assumed of it. */
  private async settle(): Promise<void> {
    const inFlight = this.inFlight;
    if (inFlight === undefined) return;
    try {
      await inFlight;
    } catch (error) {
      for (const state of this.states) {
        state.documents = undefined;
        state.checkpoint = state.stored;
      }
      throw error;
    } finally {
      if (this.inFlight === inFlight) this.inFlight = undefined;
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

  /** Releases every lock; one that fails (a full disk) does not keep the others held. */
  async stop(): Promise<void> {
    const failures: unknown[] = [];
    for (const lock of this.locks.splice(0)) await lock.release().catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw failures[0];
  }
}

/** Another projector took over a projection this one was running: stand by, do not crash. */
export class LeaseLostError extends Error {
  constructor(readonly projection: string) {
    super(`the lease on projection ${projection} was taken by another projector`);
    this.name = 'LeaseLostError';
  }
}
