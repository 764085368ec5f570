import { settleAll } from '#domain/shared/settle.js';
import type {
  BatchWrites,
  ContextualEvent,
  DocumentWrite,
  ProjectionDefinition,
  ReadModelTransaction,
} from '#domain/projections/projection.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import type { StreamContexts } from './stream-contexts.js';

export interface ProjectionState {
  readonly definition: ProjectionDefinition;
  /** Position of the last event folded: the stored checkpoint once the last batch has committed. */
  checkpoint: number;
  /** The checkpoint as last committed. */
  stored: number;
  /**
   * The documents the last batch touched, as it stores them (null: no row), so the next batch
   * neither reads nor parses them again, even while that batch is still committing. Only valid
   * while this projector holds the projection's lock and its batches commit: the engine drops it
   * on any error. (Anyone else writing the documents would have moved the checkpoint too, and
   * the next compare-and-set fails and rolls back.)
   */
  documents?: ReadonlyMap<string, KnownDocument>;
}

/** A document as stored after a commit; `doc` null: no row. */
export interface KnownDocument {
  readonly doc: unknown;
  readonly position: number;
}

/** Where a batch's documents come from: the store's committed state. */
export type CommittedReads = Pick<ReadModelTransaction, 'getDocuments'>;

/** One batch, folded in memory and ready to commit. */
export interface StagedBatch {
  readonly writes: BatchWrites;
  /** The documents each projection touched, as they will be stored (`ProjectionState.documents`). */
  readonly touched: ReadonlyMap<ProjectionState, ReadonlyMap<string, KnownDocument>>;
}

/**
 * Folds one batch of the log into several projections, without writing: each event's stream
 * context first (the commit of each build stream), then the documents the events touch are
 * loaded (those the last batch left in memory are not read again: that batch may still be
 * committing; the projections' reads go out together), each folded in memory with its events in
 * log order, and returned as the writes of one transaction (documents, each checkpoint moved by
 * compare-and-set).
 */
export async function stageBatch(
  reads: CommittedReads,
  streams: StreamContexts,
  projections: readonly ProjectionState[],
  events: readonly RecordedEvent[],
  batchEnd: number,
  /** Every event's version of each document (a store keeping history), not only the last. */
  everyVersion = false,
): Promise<StagedBatch> {
  const touched = new Map<ProjectionState, ReadonlyMap<string, KnownDocument>>();
  const behind = projections.filter((state) => state.checkpoint < batchEnd);
  if (behind.length === 0) return { writes: { projections: [] }, touched };
  // The store hands events over upcast (one place for every reader).
  const contexts = await streams.of(events);
  // Route the batch once: each event goes to the projections reading its type that have not
  // applied it yet, in log order.
  const readers = new Map<string, number[]>();
  behind.forEach((state, index) => {
    for (const type of new Set(state.definition.eventTypes)) {
      const list = readers.get(type);
      if (list === undefined) readers.set(type, [index]);
      else list.push(index);
    }
  });
  const folds: Fold[] = behind.map((state) => ({ state, byKey: new Map(), working: new Map() }));
  for (let at = 0; at < events.length; at++) {
    const event = events[at]!;
    const indexes = readers.get(event.type);
    if (indexes === undefined) continue;
    const applied: ContextualEvent = { event, context: contexts[at]! };
    for (const index of indexes) {
      const fold = folds[index]!;
      if (event.position > fold.state.checkpoint) route(fold, applied);
    }
  }
  await settleAll(folds.map((fold) => load(reads, fold)));
  const writes: BatchWrites['projections'][number][] = [];
  for (const fold of folds) {
    const { definition, checkpoint } = fold.state;
    writes.push({ projection: definition, documents: evolve(fold, everyVersion), from: checkpoint, to: batchEnd });
    if (fold.byKey.size > 0) touched.set(fold.state, fold.working);
  }
  return { writes: { projections: writes }, touched };
}

/** A document while the batch folds into it (null: none). */
interface Working extends KnownDocument {
  doc: unknown;
  position: number;
  changed: boolean;
  /** A row exists for it (a document that never had one needs no delete). */
  readonly stored: boolean;
}

/** One projection's share of the batch: each document's events in log order, then the documents. */
interface Fold {
  readonly state: ProjectionState;
  readonly byKey: Map<string, ContextualEvent[]>;
  readonly working: Map<string, Working>;
}

/** Files the event under each document of this projection it touches. */
function route({ state, byKey }: Fold, applied: ContextualEvent): void {
  for (const key of state.definition.keys(applied.event, applied.context)) {
    const events = byKey.get(key);
    if (events === undefined) byKey.set(key, [applied]);
    else if (events[events.length - 1] !== applied) events.push(applied); // a key named twice folds once
  }
}

/** The documents the fold needs: from the last batch when it left them, else from the store. */
async function load(reads: CommittedReads, { state, byKey, working }: Fold): Promise<void> {
  const unknown: string[] = [];
  for (const key of byKey.keys()) {
    const document = state.documents?.get(key);
    if (document === undefined) unknown.push(key);
    else working.set(key, { ...document, changed: false, stored: document.doc !== null });
  }
  if (unknown.length === 0) return;
  for (const [key, document] of await reads.getDocuments(state.definition, unknown)) {
    working.set(key, { doc: document.doc, position: document.position, changed: false, stored: true });
  }
}

/**
 * Folds each document's events in log order (documents are independent: the order between two
 * documents changes nothing), with `evolveBatch` when the projection has it; returns the writes
 * (a document that never had a row and ends deleted needs none).
 */
function evolve({ state, byKey, working }: Fold, everyVersion: boolean): DocumentWrite[] {
  const { definition } = state;
  // With history: each event's version, in log order per key (the store keeps the last as the document).
  const versions: DocumentWrite[] = [];
  for (const [key, events] of byKey) {
    let document = working.get(key);
    if (document === undefined) {
      document = { doc: null, position: 0, changed: false, stored: false };
      working.set(key, document);
    }
    // Replays (at-least-once delivery) are no-ops: the document already holds those events.
    let from = 0;
    while (from < events.length && events[from]!.event.position <= document.position) from++;
    if (from === events.length) continue;
    const fresh = from === 0 ? events : events.slice(from);
    if (everyVersion) {
      let stored = document.stored;
      for (const { event, context } of fresh) {
        document.doc = definition.evolve(document.doc, event, context, key);
        if (document.doc !== null || stored) versions.push({ key, doc: document.doc, position: event.position });
        stored = document.doc !== null;
      }
    } else if (definition.evolveBatch !== undefined) {
      document.doc = definition.evolveBatch(document.doc, fresh, key);
    } else {
      for (const { event, context } of fresh) document.doc = definition.evolve(document.doc, event, context, key);
    }
    document.position = fresh[fresh.length - 1]!.event.position;
    document.changed = true;
  }
  if (everyVersion) return versions;
  const changes: DocumentWrite[] = [];
  for (const [key, w] of working) {
    if (w.changed && (w.doc !== null || w.stored)) changes.push({ key, doc: w.doc, position: w.position });
  }
  return changes;
}
