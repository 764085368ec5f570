import { createHash } from 'node:crypto';
import type { ReadModelStore } from '#domain/projections/projection.js';

/** A cached answer's views version, and its JSON text and ETag once it is first written. */
interface AnswerText {
  readonly version: number;
  json?: string;
  etag?: string;
}

/** Answers handed out by `cached` (never mutated: every request gets the same object). */
const answers = new WeakMap<object, AnswerText>();

/** How long read-your-writes (and `X-Dlrn-Position`) waits for the views, at most. */
export const READ_YOUR_WRITES_MS = 5_000;

/** Default byte budget of the answers cached for one views version. */
export const VIEW_CACHE_BYTES = 64 * 1024 * 1024;

/** What an entry costs beside its key and value (map slot, entry object), roughly. */
const ENTRY_OVERHEAD = 256;

/**
 * What an answer holds in memory, estimated: strings at two bytes a character (V8 may store
 * them at one), objects at three bytes per character of their JSON (the object graph, about
 * twice its text, and the text itself, kept for serialization). The JSON is made here once and
 * reused when the answer is sent, so measuring costs no second serialization.
 */
function answerBytes(value: unknown, text: AnswerText): number {
  if (typeof value === 'string') return value.length * 2;
  if (value === null || typeof value !== 'object') return 16;
  text.json ??= JSON.stringify(value);
  return text.json.length * 3;
}

interface Entry {
  readonly value: unknown;
  readonly bytes: number;
}

/**
 * The JSON text and ETag (`"<sha1 base64>"`, as @fastify/etag computes it) of an answer from the
 * cache, computed once per answer rather than per request; null for anything else.
 */
export function cachedAnswerText(value: unknown): Required<AnswerText> | null {
  const text = answerOf(value);
  if (text === undefined) return null;
  text.json ??= JSON.stringify(value);
  text.etag ??= `"${createHash('sha1').update(text.json).digest('base64')}"`;
  return text as Required<AnswerText>;
}

function answerOf(value: unknown): AnswerText | undefined {
  return value !== null && typeof value === 'object' ? answers.get(value) : undefined;
}

/** The views version a value handed out by `ViewVersion.cached` was computed at. */
export function cachedAnswerVersion(value: unknown): number | undefined {
  return answerOf(value)?.version;
}

/**
 * How far the views are: the lowest checkpoint of the active projections (what read-your-writes
 * waits for), and a version that changes whenever any active checkpoint moves. Every answer
 * computed from the views is cached under the version; when a projector moves on (seen by
 * polling, or at once after this replica's own writes), the cache starts afresh. Versioning on
 * every checkpoint, not the lowest, keeps answers fresh when several projectors share the
 * projections and one runs ahead. This is what makes hot lookups memory-speed while every
 * replica stays current with the projection stream.
 */
export class ViewVersion {
  private position = -1;
  private checkpoints = '';
  private generation = 0;
  private cache = new Map<string, Entry>();
  private cacheBytes = 0;
  /** Answers as of past positions (`cachedAsOf`): immutable, kept across views versions. */
  private history = new Map<string, Entry>();
  private historyBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<number> | null = null;

  constructor(
    /** Only the checkpoints: the version is made of them. */
    private readonly store: Pick<ReadModelStore, 'checkpoints'>,
    private readonly options: { readonly pollMs?: number; readonly maxBytes?: number } = {},
  ) {}

  /** Starts polling (the first refresh is awaited). */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.options.pollMs ?? 50);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The position every view has passed (the lowest active checkpoint). */
  get current(): number {
    return this.position;
  }

  /** Changes whenever any active checkpoint moves: what cached answers are valid for. */
  get version(): number {
    return this.generation;
  }

  /** Reads the checkpoints now; concurrent callers share one read. */
  refresh(): Promise<number> {
    this.refreshing ??= this.readPosition().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  /**
   * Read-your-writes: waits (at most `timeoutMs`) until the views have passed `position`.
   * Returns false on timeout; the write stands, the next read may not show it yet.
   */
  async waitFor(position: number, timeoutMs = READ_YOUR_WRITES_MS): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.refresh()) >= position) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((done) => setTimeout(done, 5));
    }
  }

  /** Bytes the cached answers hold (estimated, keys included); never above the budget. */
  get bytes(): number {
    return this.cacheBytes;
  }

  /**
   * An answer cached for the current position (computed once per position and key). Keys must
   * be made of validated input, never raw bodies or URLs: the cache holds `maxBytes` at most
   * (64 MiB by default), the oldest answers leaving first, and an answer over a quarter of it
   * is answered but not kept. `bytesOf` measures answers the default estimate would misjudge;
   * `Infinity` keeps an answer out of the cache (an error page for an unknown id).
   */
  async cached<T>(key: string, compute: () => Promise<T>, bytesOf?: (value: T) => number): Promise<T> {
    const at = this.generation;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit.value as T;
    const value = await compute();
    if (at !== this.generation) return value;
    // A concurrent request computed it first: every request gets the same object.
    const first = this.cache.get(key);
    if (first !== undefined) return first.value as T;
    const text: AnswerText = { version: at };
    if (value !== null && typeof value === 'object') answers.set(value, text);
    const bytes = ENTRY_OVERHEAD + key.length * 2 + (bytesOf ? bytesOf(value) : answerBytes(value, text));
    const budget = this.options.maxBytes ?? VIEW_CACHE_BYTES;
    if (bytes > budget / 4) return value;
    // Map order is insertion order: the oldest answers leave first. No reordering on hits keeps
    // a hit one map lookup.
    for (const [oldest, entry] of this.cache) {
      if (this.cacheBytes + bytes <= budget) break;
      this.cache.delete(oldest);
      this.cacheBytes -= entry.bytes;
    }
    this.cache.set(key, { value, bytes });
    this.cacheBytes += bytes;
    return value;
  }

  /**
   * An answer as of a past log position (`as_of`): `key` must name the position (and the
   * validated input). Such answers never change once the views have passed the position, so
   * they are kept across views versions, in a cache of their own (a quarter of the budget, the
   * oldest leaving first), never mixed with the answers of now, and never replayed by URL.
   */
  async cachedAsOf<T>(key: string, compute: () => Promise<T>, bytesOf?: (value: T) => number): Promise<T> {
    const hit = this.history.get(key);
    if (hit !== undefined) return hit.value as T;
    const value = await compute();
    const first = this.history.get(key);
    if (first !== undefined) return first.value as T;
    // Version -1: never the views' version, so the hot answers never keep it under its URL.
    const text: AnswerText = { version: -1 };
    if (value !== null && typeof value === 'object') answers.set(value, text);
    const bytes = ENTRY_OVERHEAD + key.length * 2 + (bytesOf ? bytesOf(value) : answerBytes(value, text));
    const budget = (this.options.maxBytes ?? VIEW_CACHE_BYTES) / 4;
    if (bytes > budget / 4) return value;
    for (const [oldest, entry] of this.history) {
      if (this.historyBytes + bytes <= budget) break;
      this.history.delete(oldest);
      this.historyBytes -= entry.bytes;
    }
    this.history.set(key, { value, bytes });
    this.historyBytes += bytes;
    return value;
  }

  /** False until a projector has built the views (no active checkpoint yet). */
  get built(): boolean {
    return this.checkpoints !== '';
  }

  private async readPosition(): Promise<number> {
    const active = (await this.store.checkpoints()).filter((c) => c.active);
    const position = active.length === 0 ? 0 : Math.min(...active.map((c) => c.position));
    const checkpoints = active.map((c) => `${c.name}@${c.version}:${c.position}`).join(',');
    this.position = position;
    if (checkpoints !== this.checkpoints) {
      this.checkpoints = checkpoints;
      this.generation += 1;
      this.cache = new Map();
      this.cacheBytes = 0;
    }
    return position;
  }
}
