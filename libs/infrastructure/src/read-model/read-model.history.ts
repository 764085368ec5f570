import type { DocumentWrite } from '#domain/projections/projection.js';

/** One version of a document for the history table: live from `validFrom` until `validTo`. */
export interface HistoryVersion<Doc = unknown> {
  readonly key: string;
  readonly doc: Doc;
  readonly validFrom: number;
  /** The position of the next write of this key in the same batch, or null (still live). */
  readonly validTo: number | null;
}

/** What one batch's writes do to the history, in the order the statements run. */
export interface HistoryPlan<Doc = unknown> {
  /**
   * Each key's first write of the batch: it closes the version live before it (valid_to = its
   * position, only on a version that started before it, so a replay closes nothing).
   */
  readonly closes: readonly { readonly key: string; readonly position: number }[];
  /**
   * The versions the batch makes, each key's in log order; inserted only where the key has no
   * version at or after that position (a replayed write inserts nothing).
   */
  readonly versions: readonly HistoryVersion<Doc>[];
  /** Keys with a new version (the keys table). */
  readonly keys: readonly string[];
}

/**
 * The history a batch of document writes makes: every write of a key is a version (doc) or the
 * end of one (null), in the order given (log order per key), where the document table keeps only
 * the last write of each key.
 */
export function historyPlan<Doc>(documents: readonly DocumentWrite<Doc>[]): HistoryPlan<Doc> {
  const byKey = new Map<string, DocumentWrite<Doc>[]>();
  for (const write of documents) {
    const writes = byKey.get(write.key);
    if (writes === undefined) byKey.set(write.key, [write]);
    else if (writes[writes.length - 1]!.position === write.position) writes[writes.length - 1] = write;
    else writes.push(write);
  }
  const closes: { key: string; position: number }[] = [];
  const versions: HistoryVersion<Doc>[] = [];
  const keys: string[] = [];
  for (const [key, writes] of byKey) {
    closes.push({ key, position: writes[0]!.position });
    let made = false;
    writes.forEach((write, index) => {
      if (write.doc === null) return;
      versions.push({ key, doc: write.doc, validFrom: write.position, validTo: writes[index + 1]?.position ?? null });
      made = true;
    });
    if (made) keys.push(key);
  }
  return { closes, versions, keys };
}
