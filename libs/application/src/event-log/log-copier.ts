import { DomainError } from '#domain/shared/errors.js';
import { ImportNotSupportedError, type EventStore, type StoredEventJson } from '#domain/shared/event-store.port.js';
import type { EventMetadata, RecordedEvent } from '#domain/shared/event.js';
import { GENESIS, eventLine } from './log-chain.js';
import { readStoredPage } from './log-exporter.js';

export interface CopyOptions {
  /** Events per write (one `importRecorded` call, atomic; default 1000). */
  readonly batchSize?: number;
  /** Events written so far and the share of the source done (0 to 1), after each batch. */
  readonly progress?: (copied: number, done: number) => void;
}

/** What one `dlrn events copy` did, and the proof that the copy holds the source. */
export interface CopySummary {
  /**
   * `exact`: positions, revisions, ids and commit times kept (`importRecorded`). `appended`: the
   * target assigns positions and commit times itself (KurrentDB): streams, revisions, ids, data
   * and metadata kept.
   */
  readonly mode: 'exact' | 'appended';
  /** Events of the source up to its head when the copy started: all are in the target now. */
  readonly events: number;
  /** Source head when the copy started (events appended after it are left for the next run). */
  readonly lastPosition: number;
  /** Events written by this run. */
  readonly copied: number;
  /** Events found in the target already (a cut-short copy resumed). */
  readonly alreadyStored: number;
  /**
   * Chained SHA-256 over the copied events, the same for source and target: `exact` mode chains
   * the lines `dlrn events export --full` writes (its event lines, so positions and commit times
   * are covered); `appended` mode chains the same lines with position 0 and no commit time.
   */
  readonly sha256: string;
}

/** The target holds events that are not the start of the source's log. */
export class CopyTargetMismatchError extends DomainError {
  constructor(message: string) {
    super('COPY_TARGET_MISMATCH', message);
  }
}

/**
 * `dlrn events copy`: the source's log up to its head at the start, into the target, then both
 * read again and compared by count and chained hash. Into a store that imports (SQLite,
 * PostgreSQL) the copy is exact; the target must be empty or hold exactly the start of the
 * source (a cut-short copy), which is checked by hash before anything is written, and resumed
 * after. Into KurrentDB (which assigns positions) the events are appended anew, each stream
 * with its source revisions as expected revisions; a re-run re-appends them, which the store
 * takes as no-ops (same ids, same streams), and the count and hash then cover the target's
 * events of the source's ids, in the target's order.
 */
export async function copyLog(source: EventStore, target: EventStore, options: CopyOptions = {}): Promise<CopySummary> {
  const batchSize = options.batchSize ?? 1000;
  const head = await source.headPosition();
  let exact = true;
  try {
    await target.importRecorded([]);
  } catch (error) {
    if (!(error instanceof ImportNotSupportedError)) throw error;
    exact = false;
  }
  return exact
    ? copyExact(source, target, head, batchSize, options)
    : copyAppended(source, target, head, batchSize, options);
}

async function copyExact(
  source: EventStore,
  target: EventStore,
  head: number,
  batchSize: number,
  options: CopyOptions,
): Promise<CopySummary> {
  const targetHead = await target.headPosition();
  if (targetHead > head) {
    throw new CopyTargetMismatchError(
      `the target's head ${targetHead} is past the source's ${head}: copy into an empty store`,
    );
  }
  let alreadyStored = 0;
  if (targetHead > 0) {
    const [ours, theirs] = await Promise.all([chain(source, targetHead), chain(target, targetHead)]);
    if (ours.hash !== theirs.hash || ours.events !== theirs.events) {
      throw new CopyTargetMismatchError(
        `the target is not empty (head ${targetHead}) and its events are not the source's first ones ` +
          `(${theirs.events} events, sha256 ${theirs.hash}; the source up to there: ${ours.events} events, sha256 ${ours.hash}): ` +
          'copy into an empty store',
      );
    }
    alreadyStored = ours.events;
  }
  let copied = 0;
  let after = targetHead;
  while (after < head) {
    const page = (await source.readAll({ after, until: head, maxCount: batchSize, asStored: true })).filter(
      (e) => e.position <= head,
    );
    if (page.length === 0) break;
    const result = await target.importRecorded(page);
    copied += result.imported;
    alreadyStored += result.alreadyStored;
    after = page[page.length - 1]!.position;
    options.progress?.(copied, after / head);
  }
  const [ours, theirs] = await Promise.all([chain(source, head), chain(target, head)]);
  if (ours.hash !== theirs.hash || ours.events !== theirs.events) {
    throw new CopyTargetMismatchError(
      `the copy differs from the source: ${theirs.events} events, sha256 ${theirs.hash} in the target; ` +
        `${ours.events} events, sha256 ${ours.hash} in the source`,
    );
  }
  return { mode: 'exact', events: ours.events, lastPosition: head, copied, alreadyStored, sha256: ours.hash };
}

async function copyAppended(
  source: EventStore,
  target: EventStore,
  head: number,
  batchSize: number,
  options: CopyOptions,
): Promise<CopySummary> {
  const ids = new Set<string>();
  let copied = 0;
  let alreadyStored = 0;
  let after = 0;
  while (after < head) {
    const page = (await source.readAll({ after, until: head, maxCount: batchSize, asStored: true })).filter(
      (e) => e.position <= head,
    );
    if (page.length === 0) break;
    // Runs of one stream's consecutive events go as one append.
    let start = 0;
    while (start < page.length) {
      let end = start + 1;
      while (end < page.length && page[end]!.streamId === page[start]!.streamId) end += 1;
      const run = page.slice(start, end);
      const first = run[0]!;
      const before = await target.headPosition();
      const result = await target.append(
        first.streamId,
        run.map(({ type, data, metadata }) => ({ type, data, metadata })),
        { expectedRevision: first.revision === 0 ? 'no_stream' : first.revision - 1 },
      );
      // A replay returns the original position, at or before the head seen before it.
      if (result.position <= before) alreadyStored += run.length;
      else copied += run.length;
      for (const e of run) ids.add(e.metadata.eventId);
      start = end;
    }
    after = page[page.length - 1]!.position;
    options.progress?.(copied, after / head);
  }
  const ours = await chain(source, head, true);
  const theirs = await chain(target, Number.MAX_SAFE_INTEGER, true, ids);
  if (ours.hash !== theirs.hash || ours.events !== theirs.events) {
    throw new CopyTargetMismatchError(
      `the copy differs from the source: ${theirs.events} events, sha256 ${theirs.hash} in the target; ` +
        `${ours.events} events, sha256 ${ours.hash} in the source`,
    );
  }
  return { mode: 'appended', events: ours.events, lastPosition: head, copied, alreadyStored, sha256: ours.hash };
}

/**
 * Count and chained hash of a store's events up to `upTo`, as `dlrn events export --full` lines
 * them; `withoutPlace` zeroes positions and commit times (an appended copy has its own), `only`
 * keeps the events of these ids.
 */
async function chain(
  store: EventStore,
  upTo: number,
  withoutPlace = false,
  only?: ReadonlySet<string>,
): Promise<{ events: number; hash: string }> {
  let prev = GENESIS;
  let events = 0;
  let after = 0;
  for (;;) {
    const page = await readStoredPage(store, after, 1000, false);
    if (page.length === 0) break;
    for (const stored of page) {
      if (stored.position > upTo) return { events, hash: prev };
      after = stored.position;
      if (only && !only.has(eventIdOf(stored))) continue;
      prev = eventLine(prev, withoutPlace ? { ...stored, position: 0, recordedAt: '' } : stored).hash;
      events += 1;
    }
  }
  return { events, hash: prev };
}

function eventIdOf(stored: StoredEventJson | RecordedEvent): string {
  const metadata =
    typeof stored.metadata === 'string' ? (JSON.parse(stored.metadata) as EventMetadata) : stored.metadata;
  return metadata.eventId;
}
