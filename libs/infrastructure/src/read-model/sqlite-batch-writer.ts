import { CheckpointConflictError, type BatchWrites } from '#domain/projections/projection.js';
import { SqliteThread, type ThreadHandler } from '../sqlite/sqlite-thread.js';
import { batchSteps, runWriteSteps, type StepConflict, type WriteStep } from './sqlite-read-model.transaction.js';

/**
 * In the writer thread (source text: nothing from this module's scope): each request's steps as
 * one BEGIN IMMEDIATE transaction; a conflicting checkpoint rolls all of it back.
 */
function writeBatchHandler(runSteps: typeof runWriteSteps): ThreadHandler<WriteStep[], StepConflict | null> {
  return (db, prepare, steps) => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const conflict = runSteps(prepare, steps);
      db.exec(conflict === null ? 'COMMIT' : 'ROLLBACK');
      return conflict;
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  };
}

/**
 * Commits projector batches to an SQLite file from a thread of its own: the projector's thread
 * encodes each batch (documents as JSON, their columns) and goes on reading and folding the next
 * while this one runs the statements, the commit and the WAL checkpoints on the other core.
 * Batches commit in the order they are sent; each promise settles once its batch has committed
 * (or rolled back: CheckpointConflictError when another projector moved a checkpoint).
 */
export class SqliteBatchWriter {
  private readonly thread: SqliteThread<WriteStep[], StepConflict | null>;

  constructor(
    file: string,
    busyTimeoutMs: number,
    /** Versions kept in the history tables too (time travel). */
    private readonly history = false,
  ) {
    this.thread = new SqliteThread(file, `(${writeBatchHandler.toString()})(${runWriteSteps.toString()})`, {
      name: 'read-model writer',
      busyTimeoutMs,
    });
  }

  async commit(writes: BatchWrites): Promise<void> {
    const conflict = await this.thread.request(batchSteps(writes, this.history));
    if (conflict !== null) throw new CheckpointConflictError(conflict.name, conflict.expected, conflict.actual);
  }

  /** Waits for the batches sent, then stops the thread. */
  close(): Promise<void> {
    return this.thread.close();
  }
}
