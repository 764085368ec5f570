import { createHash } from 'node:crypto';
import type { ReadModelStore } from '#domain/projections/projection.js';

/** A cached answer's views position, and its JSON text and ETag once it is first written. */
interface AnswerText {
  readonly position: number;
  json?: string;
  etag?: string;
}

/** Answers handed out by `cached` (never mutated: every request gets the same object). */
const answers = new WeakMap<object, AnswerText>();

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

/** The views position a value handed out by `ViewVersion.cached` was computed at. */
export function cachedAnswerPosition(value: unknown): number | undefined {
  return answerOf(value)?.position;
}

/**
 * How far the views are: the lowest checkpoint of the active projections. Every answer computed
 * from the views is cached under this position; when the projector moves on (seen by polling,
 * or at once after this replica's own writes), the cache starts afresh. This is what makes hot
 * lookups memory-speed while every replica stays current with the projection stream.
 */
export class ViewVersion {
  private position = -1;
  private cache = new Map<string, unknown>();
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<number> | null = null;

  constructor(
    private readonly store: ReadModelStore,
    private readonly options: { readonly pollMs?: number; readonly maxEntries?: number } = {},
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

  /** The position every cached answer reflects. */
  get current(): number {
    return this.position;
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
  async waitFor(position: number, timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.refresh()) >= position) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((done) => setTimeout(done, 5));
    }
  }

  /** An answer cached for the current position (computed once per position and key). */
  async cached<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const at = this.position;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit as T;
    const value = await compute();
    if (at === this.position) {
      if (this.cache.size >= (this.options.maxEntries ?? 20_000)) this.cache.clear();
      this.cache.set(key, value);
      if (value !== null && typeof value === 'object') answers.set(value, { position: at });
    }
    return value;
  }

  private async readPosition(): Promise<number> {
    const active = (await this.store.checkpoints()).filter((c) => c.active);
    const position = active.length === 0 ? 0 : Math.min(...active.map((c) => c.position));
    if (position !== this.position) {
      this.position = position;
      this.cache = new Map();
    }
    return position;
  }
}
