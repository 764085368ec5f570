import { hash as digest } from 'node:crypto';
import { DomainError } from '#domain/shared/errors.js';
import { STREAM_ID_PATTERN, type StoredEventJson } from '#domain/shared/event-store.port.js';
import type { EventMetadata, RecordedEvent } from '#domain/shared/event.js';

/**
 * The exported log (docs/event-store.md, "Export, verify, import"): NDJSON, one line per entry,
 * a header first, one line per event in position order, an end line last. Every line is a JSON
 * object whose first key is `prev` and whose last key is `sha256`:
 *
 *   {"prev":"<64 hex>", …fields… ,"sha256":"<64 hex>"}\n
 *
 * `sha256` is the SHA-256 of the line's bytes before `,"sha256":"` (a fixed 77-byte suffix, so
 * `head -c -78` finds them), and `prev` is the previous line's `sha256` (64 zeros on the
 * header). A changed byte breaks its own line's hash; a removed, inserted or moved line breaks
 * the `prev` of the line that now follows; a cut-short file lacks its end line.
 */
export const LOG_FORMAT = 'dlrn-event-log';
export const LOG_FORMAT_VERSION = 1;
/** The `prev` of the header: there is no line before it. */
export const GENESIS = '0'.repeat(64);

const SEAL_OPEN = ',"sha256":"';
/** Bytes after a line's hashed body: `,"sha256":"` + 64 hex digits + `"}`. */
export const SEAL_LENGTH = SEAL_OPEN.length + 64 + 2;
const SEAL_OPEN_BYTES = Buffer.from(SEAL_OPEN);
const HEX64 = /^[0-9a-f]{64}$/;

/** One line ready to write (newline included) and its hash, the next line's `prev`. */
export interface SealedLine {
  readonly text: string;
  readonly hash: string;
}

function seal(body: string): SealedLine {
  const hash = digest('sha256', body, 'hex');
  return { text: `${body}${SEAL_OPEN}${hash}"}\n`, hash };
}

/** JSON of `value` without its closing brace: the body `seal` hashes. */
function openObject(value: object): string {
  return JSON.stringify(value).slice(0, -1);
}

export function headerLine(redacted: boolean): SealedLine {
  return seal(openObject({ prev: GENESIS, format: LOG_FORMAT, version: LOG_FORMAT_VERSION, redacted }));
}

/** The line of an event: `JSON.stringify` of its fields in this order, data and metadata spliced in as JSON text. */
export function eventLine(prev: string, event: RecordedEvent | StoredEventJson): SealedLine {
  const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
  const metadata = typeof event.metadata === 'string' ? event.metadata : JSON.stringify(event.metadata);
  return seal(
    `{"prev":"${prev}","position":${event.position},"stream":${JSON.stringify(event.streamId)},` +
      `"revision":${event.revision},"type":${JSON.stringify(event.type)},"data":${data},"metadata":${metadata},` +
      `"recordedAt":${JSON.stringify(event.recordedAt)}`,
  );
}

export function endLine(prev: string, events: number, lastPosition: number): SealedLine {
  return seal(openObject({ prev, end: true, events, lastPosition }));
}

/** What a whole, valid log says about itself. */
export interface LogSummary {
  readonly events: number;
  /** Position of the last event (0: no event). */
  readonly lastPosition: number;
  /** The end line's `sha256`: it seals every byte before it. */
  readonly lastHash: string;
  readonly redacted: boolean;
}

export type LogEntry =
  | { readonly kind: 'header'; readonly line: number; readonly redacted: boolean }
  | { readonly kind: 'event'; readonly line: number; readonly event: RecordedEvent; readonly hash: string }
  | { readonly kind: 'end'; readonly line: number };

/** A log that is not what it claims: names the first bad line (1-based) and why. */
export class EventLogError extends DomainError {
  constructor(
    readonly line: number,
    readonly why: string,
  ) {
    super('EVENT_LOG_INVALID', `line ${line}: ${why}`, { line });
  }
}

const HEADER_KEYS = ['prev', 'format', 'version', 'redacted', 'sha256'];
const EVENT_KEYS = ['prev', 'position', 'stream', 'revision', 'type', 'data', 'metadata', 'recordedAt', 'sha256'];
const END_KEYS = ['prev', 'end', 'events', 'lastPosition', 'sha256'];

/**
 * Checks a log line by line, in order, holding only the last hash and position: any size of
 * log in bounded memory. `accept` takes one line without its newline; `finish` says the file
 * ended (with or without a cut-short last line).
 */
export class LogChainReader {
  private lineNo = 0;
  private prev = GENESIS;
  private events = 0;
  private lastPosition = 0;
  private redacted = false;
  private ended = false;

  /** Number of the line `accept` takes next. */
  get nextLine(): number {
    return this.lineNo + 1;
  }

  accept(line: Buffer): LogEntry {
    const no = ++this.lineNo;
    const fail = (why: string): never => {
      throw new EventLogError(no, why);
    };
    if (this.ended) fail('a line after the end line: nothing may follow it');
    const bodyEnd = line.length - SEAL_LENGTH;
    const sealed =
      bodyEnd > 0 &&
      line.compare(SEAL_OPEN_BYTES, 0, SEAL_OPEN_BYTES.length, bodyEnd, bodyEnd + SEAL_OPEN_BYTES.length) === 0 &&
      line[line.length - 2] === 0x22 &&
      line[line.length - 1] === 0x7d;
    if (!sealed) fail('not a sealed line: it must end with ,"sha256":"<64 hex digits>"}');
    const claimed = line.toString('latin1', line.length - 66, line.length - 2);
    const actual = digest('sha256', line.subarray(0, bodyEnd), 'hex');
    if (actual !== claimed) {
      // The format is checked only when the hash does not match: a digest is always hex.
      if (!HEX64.test(claimed)) fail(`"sha256" is not 64 lowercase hex digits`);
      fail(`the line was changed: its bytes hash to ${actual}, it says ${claimed}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(line.toString('utf8'));
    } catch (error) {
      fail(`not JSON: ${(error as Error).message}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('not a JSON object');
    const object = value as Record<string, unknown>;
    if (object['prev'] !== this.prev) {
      fail(
        no === 1
          ? `"prev" of the header must be ${GENESIS}`
          : `"prev" does not match the SHA-256 of line ${no - 1} (${this.prev}): a line was removed, inserted or moved here`,
      );
    }
    this.prev = claimed;
    if (no === 1) return this.header(object, fail);
    if (object['end'] === true) return this.end(object, no, fail);
    return this.event(object, no, claimed, fail);
  }

  /** The file ended; `cut` holds bytes after the last newline (a cut-short line), if any. */
  finish(cut?: Buffer): LogSummary {
    if (cut !== undefined && cut.length > 0) {
      throw new EventLogError(this.lineNo + 1, 'cut short: the last line has no end of line');
    }
    if (this.lineNo === 0) throw new EventLogError(1, 'empty file: no header line');
    if (!this.ended) {
      throw new EventLogError(this.lineNo + 1, 'the log ends without its end line: the file was cut short');
    }
    return { events: this.events, lastPosition: this.lastPosition, lastHash: this.prev, redacted: this.redacted };
  }

  private header(object: Record<string, unknown>, fail: (why: string) => never): LogEntry {
    checkKeys(object, HEADER_KEYS, fail);
    if (object['format'] !== LOG_FORMAT) fail(`not a header: "format" must be ${JSON.stringify(LOG_FORMAT)}`);
    if (object['version'] !== LOG_FORMAT_VERSION) {
      fail(`format version ${JSON.stringify(object['version'])}: this dlrn reads version ${LOG_FORMAT_VERSION}`);
    }
    if (typeof object['redacted'] !== 'boolean') fail('"redacted" must be true or false');
    this.redacted = object['redacted'] as boolean;
    return { kind: 'header', line: 1, redacted: this.redacted };
  }

  private end(object: Record<string, unknown>, no: number, fail: (why: string) => never): LogEntry {
    checkKeys(object, END_KEYS, fail);
    if (object['events'] !== this.events) {
      fail(`the end line counts ${JSON.stringify(object['events'])} events, the log holds ${this.events}`);
    }
    if (object['lastPosition'] !== this.lastPosition) {
      fail(
        `the end line says last position ${JSON.stringify(object['lastPosition'])}, the log's is ${this.lastPosition}`,
      );
    }
    this.ended = true;
    return { kind: 'end', line: no };
  }

  private event(object: Record<string, unknown>, no: number, hash: string, fail: (why: string) => never): LogEntry {
    checkKeys(object, EVENT_KEYS, fail);
    const { position, stream, revision, type, data, metadata, recordedAt } = object;
    if (!Number.isSafeInteger(position) || (position as number) <= this.lastPosition) {
      fail(`position ${JSON.stringify(position)} is not after ${this.lastPosition}: positions must increase`);
    }
    if (typeof stream !== 'string' || !STREAM_ID_PATTERN.test(stream) || stream.length > 512) {
      fail(`"stream" ${JSON.stringify(stream)} is not a stream id (<category>-<id>)`);
    }
    if (!Number.isSafeInteger(revision) || (revision as number) < 0) {
      fail(`"revision" ${JSON.stringify(revision)} is not an integer ≥ 0`);
    }
    if (typeof type !== 'string' || type === '') fail('"type" must be a non-empty string');
    if (typeof data !== 'object' || data === null || Array.isArray(data)) fail('"data" must be a JSON object');
    const why = metadataProblem(metadata);
    if (why !== null) fail(`"metadata" ${why}`);
    if (typeof recordedAt !== 'string' || Number.isNaN(Date.parse(recordedAt))) {
      fail(`"recordedAt" ${JSON.stringify(recordedAt)} is not an ISO-8601 time`);
    }
    this.events += 1;
    this.lastPosition = position as number;
    const event: RecordedEvent = {
      streamId: stream as string,
      revision: revision as number,
      position: position as number,
      type: type as string,
      data: data as object,
      metadata: metadata as EventMetadata,
      recordedAt: recordedAt as string,
    };
    return { kind: 'event', line: no, event, hash };
  }
}

function checkKeys(object: Record<string, unknown>, expected: readonly string[], fail: (why: string) => never): void {
  for (const key of expected) if (!Object.hasOwn(object, key)) fail(`missing field ${JSON.stringify(key)}`);
  for (const key of Object.keys(object)) if (!expected.includes(key)) fail(`unexpected field ${JSON.stringify(key)}`);
}

function metadataProblem(metadata: unknown): string | null {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return 'must be a JSON object';
  const m = metadata as Record<string, unknown>;
  if (typeof m['eventId'] !== 'string' || m['eventId'] === '') return 'lacks its "eventId"';
  if (!Number.isSafeInteger(m['schemaVersion']) || (m['schemaVersion'] as number) < 1) {
    return 'lacks a "schemaVersion" (an integer ≥ 1)';
  }
  for (const key of ['occurredAt', 'correlationId', 'actor']) {
    if (typeof m[key] !== 'string') return `lacks its ${JSON.stringify(key)}`;
  }
  if (m['causationId'] !== null && typeof m['causationId'] !== 'string')
    return '"causationId" must be a string or null';
  return null;
}
