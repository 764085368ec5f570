import { isKnownEventType } from '#domain/catalogue.js';
import { packageName } from '#domain/build/commit-ref.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import type { ModelSpec } from '../http/dlrn-input.js';
import { pageLimitField } from '../resources/resources-inputs.js';

export const DEFAULT_EVENTS_PAGE = 100;
export const MAX_EVENTS_PAGE = 1000;
/** More types than the catalogue holds is a made-up list: refused before anything is read. */
const MAX_TYPES = 64;

/** `type=A,B`: known event types, each named when it is not one. */
function eventTypes(value: string): string[] {
  const types = value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (types.length === 0)
    throw new DlrnHttpError(400, 'Invalid type: expected one or more event types, comma-separated');
  if (types.length > MAX_TYPES) throw new DlrnHttpError(400, `Invalid type: at most ${MAX_TYPES} event types`);
  for (const type of types) {
    if (!isKnownEventType(type)) {
      throw new DlrnHttpError(400, `Invalid type ${JSON.stringify(type.slice(0, 64))}: not a known event type`);
    }
  }
  return types;
}

function validPackage(value: string): string {
  try {
    return packageName(value);
  } catch {
    throw new DlrnHttpError(
      400,
      `Invalid package ${JSON.stringify(value.slice(0, 64))}: letters, digits and . _ + - only, at most 256`,
    );
  }
}

/** Build ids are UUIDs; anything longer is no build id, whatever it holds. */
function buildId(value: string): string {
  if (value.length === 0 || value.length > 64) throw new DlrnHttpError(400, 'Invalid build: expected a build id');
  return value;
}

const TYPE_FIELD = {
  kind: 'strictStr',
  description: 'Only events of these types (comma-separated; each a known event type)',
  example: 'BuildSucceeded,BuildFailed',
  check: eventTypes,
} as const;

const PACKAGE_FIELD = {
  kind: 'strictStr',
  description: "Only the package's events: its build streams, its package stream, its bisections",
  example: 'python-nova',
  check: validPackage,
} as const;

export interface EventsInput {
  after: number;
  limit: number;
  type: string[] | null;
  package: string | null;
  build: string | null;
  redact: boolean;
}

export const EVENTS: ModelSpec<EventsInput> = {
  fields: {
    after: {
      kind: 'nonNegativeInt',
      default: 0,
      description: 'Events after this global position (exclusive; 0: from the start)',
    },
    limit: pageLimitField(DEFAULT_EVENTS_PAGE, MAX_EVENTS_PAGE),
    type: TYPE_FIELD,
    package: PACKAGE_FIELD,
    build: { kind: 'strictStr', description: "Only this build's commit stream (a build id)", check: buildId },
    redact: {
      kind: 'bool',
      default: true,
      description: 'false: secrets (password hashes) as stored, for an admin only (403 otherwise)',
    },
  },
};

export interface EventStreamInput {
  after: number | null;
  type: string[] | null;
  package: string | null;
}

export const EVENT_STREAM: ModelSpec<EventStreamInput> = {
  fields: {
    after: {
      kind: 'nonNegativeInt',
      description:
        'Start after this global position (a `Last-Event-ID` header wins); default: the head, new events only',
    },
    type: TYPE_FIELD,
    package: PACKAGE_FIELD,
  },
};

/** Where a stream starts: `Last-Event-ID` (a reconnecting EventSource sends it), else `after`. */
export function resumeAfter(lastEventId: string | string[] | undefined, after: number | null): number | null {
  if (lastEventId === undefined) return after;
  const value = Array.isArray(lastEventId) ? (lastEventId[0] ?? '') : lastEventId;
  if (value.trim() === '') return after;
  if (!/^\d{1,15}$/.test(value.trim())) {
    throw new DlrnHttpError(400, 'Invalid Last-Event-ID header: expected an event position (a non-negative integer)');
  }
  return Number(value.trim());
}
