import { DlrnHttpError } from './dlrn-http.error.js';

/**
 * DLRN's API inputs are pydantic v1 models. This reproduces what its users see: the same
 * coercions (query strings are strings: `"48"` is an int, `yes`/`off` are booleans) and the same
 * `Errors detected: <n> {<field>: <message>}` answer, with custom checks raising their own message.
 */
export type FieldKind = 'int' | 'nonNegativeInt' | 'bool' | 'str' | 'strictStr';

export interface FieldSpec {
  readonly kind: FieldKind;
  /** Required fields report `field required` when absent. */
  readonly required?: boolean;
  readonly default?: unknown;
  /** A custom validator: may throw DlrnHttpError (aborts at once, as DLRN's InvalidUsage does). */
  readonly check?: (value: never) => unknown;
  /**
   * The values `check` accepts, when it accepts a fixed list (see `oneOf`): the OpenAPI enum.
   * The parser leaves the refusal to `check`, which words it.
   */
  readonly enum?: readonly string[];
  // What the OpenAPI description says about the field (api-input.ts): written here, once.
  readonly description?: string;
  readonly example?: string | number | boolean;
  /** Documented as accepting null (the parser accepts null in every optional field). */
  readonly nullable?: boolean;
  /**
   * Optional for the parser, as in DLRN, but the model's root check refuses its absence with its
   * own message: documented as required.
   */
  readonly requiredByRoot?: boolean;
}

export interface ModelSpec<T> {
  readonly fields: { readonly [K in keyof T]-?: FieldSpec };
  /** Cross-field checks; they run even when fields failed, and their error wins. */
  readonly root?: (values: Partial<T>) => void;
}

const TRUE = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const FALSE = new Set(['0', 'off', 'f', 'false', 'n', 'no']);

type Coerced = { ok: true; value: unknown } | { ok: false; message: string };

function coerce(kind: FieldKind, raw: unknown): Coerced {
  switch (kind) {
    case 'int':
    case 'nonNegativeInt': {
      let value: number | null = null;
      if (typeof raw === 'number' && Number.isFinite(raw)) value = Math.trunc(raw);
      else if (typeof raw === 'boolean') value = raw ? 1 : 0;
      else if (typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw)) value = Number.parseInt(raw, 10);
      if (value === null || !Number.isSafeInteger(value)) return { ok: false, message: 'value is not a valid integer' };
      if (kind === 'nonNegativeInt' && value < 0) {
        return { ok: false, message: 'ensure this value is greater than or equal to 0' };
      }
      return { ok: true, value };
    }
    case 'bool': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (raw === 0 || raw === 1) return { ok: true, value: raw === 1 };
      if (typeof raw === 'string') {
        const word = raw.toLowerCase();
        if (TRUE.has(word)) return { ok: true, value: true };
        if (FALSE.has(word)) return { ok: true, value: false };
      }
      return { ok: false, message: 'value could not be parsed to a boolean' };
    }
    case 'str':
      if (typeof raw === 'string') return { ok: true, value: raw };
      if (typeof raw === 'number' && Number.isFinite(raw)) return { ok: true, value: String(raw) };
      return { ok: false, message: 'str type expected' };
    case 'strictStr':
      return typeof raw === 'string' ? { ok: true, value: raw } : { ok: false, message: 'str type expected' };
  }
}

/** Python's repr of a `str → str` dict, as DLRN prints it inside `Errors detected`. */
export function pythonDictRepr(entries: Readonly<Record<string, string>>): string {
  const repr = (s: string): string =>
    s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return `{${Object.entries(entries)
    .map(([k, v]) => `${repr(k)}: ${repr(v)}`)
    .join(', ')}}`;
}

/** Validates one input object against a model, the way DLRN's pydantic v1 models do. */
export function parseModel<T>(spec: ModelSpec<T>, input: Readonly<Record<string, unknown>>): T {
  const values: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const [name, field] of Object.entries(spec.fields) as [string, FieldSpec][]) {
    const present = Object.hasOwn(input, name) && input[name] !== undefined;
    if (!present) {
      if (field.required) errors[name] = 'field required';
      else values[name] = field.default ?? null;
      continue;
    }
    const raw = input[name];
    if (raw === null) {
      if (field.required) errors[name] = 'none is not an allowed value';
      else values[name] = null;
      continue;
    }
    const coerced = coerce(field.kind, raw);
    if (!coerced.ok) {
      errors[name] = coerced.message;
      continue;
    }
    values[name] = field.check ? field.check(coerced.value as never) : coerced.value;
  }
  spec.root?.(values as Partial<T>);
  const count = Object.keys(errors).length;
  if (count > 0) throw new DlrnHttpError(400, `Errors detected: ${count} ${pythonDictRepr(errors)}`);
  return values as T;
}

/** What a request carries, before choosing where DLRN reads its input from. */
export interface RawRequest {
  readonly contentType: string | undefined;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
}

/** `application/json` or any `…+json` type (parameters ignored): DLRN then reads the body only. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** DLRN's JSON-only endpoints want exactly `application/json` (no parameters). */
export function requireExactJson(contentType: string | undefined): void {
  if (contentType !== 'application/json') throw new DlrnHttpError(415, 'Unsupported Media Type, use JSON');
}

function firstValues(source: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) out[key] = Array.isArray(value) ? value[0] : value;
  return out;
}

/**
 * The input object DLRN would validate: the JSON body for JSON requests, else the query string,
 * else (when the query string is empty) the form fields. Repeated query keys keep their first value.
 */
export function inputOf(request: RawRequest): Record<string, unknown> {
  if (isJsonContentType(request.contentType)) {
    const body = request.body;
    if (body === undefined || body === null || body === '') return {};
    if (typeof body !== 'object' || Array.isArray(body)) {
      throw new DlrnHttpError(400, "Errors detected: 1 {'__root__': 'value is not a valid dict'}");
    }
    return body as Record<string, unknown>;
  }
  const query = firstValues(request.query);
  if (Object.keys(query).length > 0) return query;
  const body = request.body;
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && !Buffer.isBuffer(body)) {
    return firstValues(body as Record<string, unknown>);
  }
  return {};
}
