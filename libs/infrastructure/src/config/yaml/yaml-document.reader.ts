import {
  EVENT_ID,
  YAML11_SCHEMA,
  YAMLException,
  constructFromEvents,
  getScalarValue,
  parseEvents,
  type Event,
} from 'js-yaml';
import { ConfigError } from '../shared/config.error.js';
import { readBoundedTextFile } from '../shared/bounded-file.reader.js';

/** A loaded info file: its top-level mapping and where each key path was written. */
export interface YamlDocument {
  /** The file as named in messages (info repo path as given, joined with the file name). */
  readonly shown: string;
  readonly absPath: string;
  readonly data: Record<string, unknown>;
  /** 1-based line of a key path (`packages[3].upstream`), when known. */
  lineOf(path: string): number | undefined;
}

// rdoinfo uses no anchors at all and nests 6 levels deep; these only stop hostile input.
const MAX_DEPTH = 64;
const MAX_ALIASES = 1000;
// Aliases share one object, so js-yaml builds a "billion laughs" document cheaply; the damage
// comes later, when merging and copying walk it. Count nodes as if aliases were expanded.
const MAX_EXPANDED_NODES = 1_000_000;

/** `packages` + 3 → `packages[3]`; `packages[3]` + `upstream` → `packages[3].upstream`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function lineAt(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return low + 1;
}

interface Frame {
  readonly kind: 'map' | 'seq' | 'other';
  /** null below a complex (non-scalar) key, whose contents have no key path. */
  readonly path: string | null;
  index: number;
  expectKey: boolean;
  pendingKey: string | null;
}

/** Walks the parser events to record the line of every key and sequence item. */
function mapLines(text: string, events: readonly Event[]): Map<string, number> {
  const starts = lineStarts(text);
  const lines = new Map<string, number>();
  const stack: Frame[] = [];
  for (const event of events) {
    if (event.type === EVENT_ID.POP) {
      stack.pop();
      continue;
    }
    if (event.type === EVENT_ID.DOCUMENT) {
      stack.push({ kind: 'other', path: '', index: 0, expectKey: false, pendingKey: null });
      continue;
    }
    const top = stack.at(-1);
    const offset =
      event.type === EVENT_ID.SCALAR
        ? event.valueStart
        : event.type === EVENT_ID.ALIAS
          ? event.anchorStart
          : event.start;
    let path: string | null;
    if (top?.kind === 'map' && top.expectKey) {
      top.expectKey = false;
      top.pendingKey = event.type === EVENT_ID.SCALAR ? getScalarValue(text, event) : null;
      const keyPath = top.path === null || top.pendingKey === null ? null : childPath(top.path, top.pendingKey);
      if (keyPath !== null && offset >= 0) lines.set(keyPath, lineAt(starts, offset));
      path = null;
    } else if (top?.kind === 'map') {
      top.expectKey = true;
      path = top.path === null || top.pendingKey === null ? null : childPath(top.path, top.pendingKey);
    } else if (top?.kind === 'seq') {
      path = top.path === null ? null : childPath(top.path, top.index);
      top.index++;
      if (path !== null && offset >= 0) lines.set(path, lineAt(starts, offset));
    } else {
      path = top?.path ?? null;
    }
    if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) {
      const kind = event.type === EVENT_ID.MAPPING ? 'map' : 'seq';
      stack.push({ kind, path, index: 0, expectKey: kind === 'map', pendingKey: null });
    }
  }
  return lines;
}

function countExpandedNodes(value: unknown, shown: string): void {
  let budget = MAX_EXPANDED_NODES;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (--budget < 0) {
      throw new ConfigError({
        file: shown,
        reason: `more than ${MAX_EXPANDED_NODES} values once aliases are expanded (a YAML alias bomb?)`,
      });
    }
    // One push per child: spreading a huge list into push() would overflow the call stack.
    if (Array.isArray(node)) for (const child of node as unknown[]) pending.push(child);
    else if (isMapping(node)) for (const child of Object.values(node)) pending.push(child);
  }
}

/**
 * Reads one info file with js-yaml's YAML 1.1 schema (the one PyYAML, hence distroinfo, uses:
 * yes/no booleans, merge keys), after a size check, with depth and alias limits.
 */
export function readYamlDocument(absPath: string, shown: string): YamlDocument {
  const text = readBoundedTextFile(absPath, shown);
  let events: Event[];
  let documents: unknown[];
  try {
    events = parseEvents(text, { filename: shown, maxDepth: MAX_DEPTH });
    documents = constructFromEvents(events, {
      source: text,
      filename: shown,
      schema: YAML11_SCHEMA,
      maxAliases: MAX_ALIASES,
    });
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    throw new ConfigError({
      file: shown,
      line: error.mark === undefined ? undefined : error.mark.line + 1,
      reason: `malformed YAML: ${error.reason}`,
    });
  }
  if (documents.length !== 1 || !isMapping(documents[0])) {
    throw new ConfigError({
      file: shown,
      reason:
        documents.length > 1
          ? `holds ${documents.length} YAML documents; expected one`
          : `the top level must be a mapping (releases:, package-default:, packages: …), got ${describe(documents[0])}`,
    });
  }
  const data = documents[0];
  countExpandedNodes(data, shown);
  const lines = mapLines(text, events);
  return { shown, absPath, data, lineOf: (path) => lines.get(path) };
}

/** A short description of a YAML value's type, for messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  return isMapping(value) ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}
