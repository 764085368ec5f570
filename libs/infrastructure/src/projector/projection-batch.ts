import type { CommitDiscovered } from '#domain/build/build.events.js';
import { upcast } from '#domain/catalogue.js';
import type { ProjectionContext, ProjectionDefinition, ReadModelTransaction } from '#domain/projections/projection.js';
import type { RecordedEvent } from '#domain/shared/event.js';

export interface ProjectionState {
  readonly definition: ProjectionDefinition;
  /** Position of the last event applied (the stored checkpoint). */
  checkpoint: number;
}

type Commit = NonNullable<ProjectionContext['commit']>;

/**
 * Applies one batch of the log to several projections inside one read-model transaction:
 * stream contexts first (the commit of each build stream), then, per projection, the documents
 * the events touch are loaded once, folded in memory in log order and written back in one
 * upsert, and the checkpoint moves by compare-and-set. A crash anywhere rolls all of it back.
 */
export async function applyBatch(
  tx: ReadModelTransaction,
  projections: readonly ProjectionState[],
  events: readonly RecordedEvent[],
  batchEnd: number,
): Promise<void> {
  const upcasted = events.map((event) => upcast(event));
  const contexts = await resolveContexts(tx, upcasted);
  for (const state of projections) {
    if (state.checkpoint >= batchEnd) continue;
    const { definition } = state;
    const types = new Set(definition.eventTypes);
    const relevant = upcasted.filter((e) => e.position > state.checkpoint && types.has(e.type));
    if (relevant.length > 0) await applyToProjection(tx, definition, relevant, contexts);
    await tx.advanceCheckpoint(definition.name, definition.version, state.checkpoint, batchEnd);
  }
}

async function resolveContexts(
  tx: ReadModelTransaction,
  events: readonly RecordedEvent[],
): Promise<Map<string, Commit | null>> {
  const contexts = new Map<string, Commit | null>();
  const discovered: { streamId: string; commit: Commit }[] = [];
  for (const event of events) {
    if (event.type === 'CommitDiscovered' && !contexts.get(event.streamId)) {
      const commit = event.data as CommitDiscovered['data'];
      contexts.set(event.streamId, commit);
      discovered.push({ streamId: event.streamId, commit });
    }
  }
  const missing = [
    ...new Set(
      events.filter((e) => e.streamId.startsWith('build-') && !contexts.has(e.streamId)).map((e) => e.streamId),
    ),
  ];
  if (missing.length > 0)
    for (const [streamId, commit] of await tx.getContexts(missing)) contexts.set(streamId, commit);
  if (discovered.length > 0) await tx.putContexts(discovered);
  return contexts;
}

async function applyToProjection(
  tx: ReadModelTransaction,
  definition: ProjectionDefinition,
  events: readonly RecordedEvent[],
  contexts: ReadonlyMap<string, Commit | null>,
): Promise<void> {
  const contextOf = (event: RecordedEvent): ProjectionContext => ({ commit: contexts.get(event.streamId) ?? null });
  const routed = events.map((event) => ({ event, keys: definition.keys(event, contextOf(event)) }));
  const allKeys = [...new Set(routed.flatMap((r) => r.keys))];
  if (allKeys.length === 0) return;
  const stored = await tx.getDocuments(definition, allKeys);
  const working = new Map<string, { doc: unknown; position: number; changed: boolean }>();
  for (const [key, document] of stored)
    working.set(key, { doc: document.doc, position: document.position, changed: false });
  for (const { event, keys } of routed) {
    for (const key of keys) {
      const current = working.get(key) ?? { doc: null, position: 0, changed: false };
      // Replays (at-least-once delivery) are no-ops: the document already holds this event.
      if (current.position >= event.position) continue;
      working.set(key, {
        doc: definition.evolve(current.doc, event, contextOf(event), key),
        position: event.position,
        changed: true,
      });
    }
  }
  const changes = [...working]
    .filter(([, w]) => w.changed)
    .map(([key, w]) => ({ key, doc: w.doc, position: w.position }));
  if (changes.length > 0) await tx.putDocuments(definition, changes);
}
