import { describe, expect, it } from 'vitest';
import { LAST_TESTED_REPO, METRICS, PROMOTE, PROMOTIONS, REPORT_RESULT, parseDlrnDate } from '../dlrn/dlrn-inputs.js';
import { DlrnHttpError } from './dlrn-http.error.js';
import {
  inputOf,
  isJsonContentType,
  parseModel,
  pythonDictRepr,
  requireExactJson,
  type ModelSpec,
} from './dlrn-input.js';

function failure(work: () => unknown): { status: number; message: string } {
  try {
    work();
  } catch (error) {
    if (error instanceof DlrnHttpError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('expected a DlrnHttpError');
}

describe("DLRN's input rules (pydantic v1)", () => {
  it('coerces query-string values as pydantic does', () => {
    const input = parseModel(LAST_TESTED_REPO, { max_age: '48', success: 'Yes', sequential_mode: 'off' });
    expect(input).toEqual({
      max_age: 48,
      success: true,
      job_id: null,
      sequential_mode: false,
      previous_job_id: null,
      component: null,
    });
  });

  it("lists every field error as 'Errors detected: <n> {…}' in field order", () => {
    expect(failure(() => parseModel(REPORT_RESULT, { timestamp: 'x', commit_hash: 'a', distro_hash: 'b' }))).toEqual({
      status: 400,
      message:
        "Errors detected: 4 {'timestamp': 'value is not a valid integer', 'success': 'field required', 'job_id': 'field required', 'url': 'field required'}",
    });
    expect(failure(() => parseModel(LAST_TESTED_REPO, { max_age: null })).message).toBe(
      "Errors detected: 1 {'max_age': 'none is not an allowed value'}",
    );
    expect(failure(() => parseModel(LAST_TESTED_REPO, { max_age: 1, job_id: 5 })).message).toBe(
      "Errors detected: 1 {'job_id': 'str type expected'}",
    );
    expect(failure(() => parseModel(LAST_TESTED_REPO, { max_age: 1, success: 'maybe' })).message).toBe(
      "Errors detected: 1 {'success': 'value could not be parsed to a boolean'}",
    );
  });

  it('lets a cross-field check win over field errors, as DLRN does', () => {
    expect(failure(() => parseModel(REPORT_RESULT, { commit_hash: 'abc' }))).toEqual({
      status: 400,
      message: 'If commit_hash is provided, distro_hash must be provided too',
    });
    expect(failure(() => parseModel(REPORT_RESULT, { job_id: 'j' })).message).toBe(
      '"Either the aggregate hash or both commit_hash and distro_hash must be provided"',
    );
    expect(
      failure(() => parseModel(REPORT_RESULT, { aggregate_hash: 'x', commit_hash: 'a', distro_hash: 'b' })).message,
    ).toBe('aggregate_hash and commit/distro_hash cannot be combined');
  });

  it('aborts at once on a custom field check', () => {
    expect(failure(() => parseModel(LAST_TESTED_REPO, { max_age: -1, success: 'maybe' }))).toEqual({
      status: 400,
      message: 'Max age parameter must be greater than or equal to 0',
    });
    expect(failure(() => parseModel(LAST_TESTED_REPO, { max_age: 0, sequential_mode: true })).message).toBe(
      'Missing parameter previous_job_id',
    );
    expect(failure(() => parseModel(PROMOTE, { promote_name: 'consistent' }))).toEqual({
      status: 403,
      message: 'Invalid promote_name consistent',
    });
    expect(failure(() => parseModel(PROMOTE, { promote_name: 'x', commit_hash: 'a' }))).toEqual({
      status: 400,
      message: 'Both commit_hash and distro_hash must be specified.',
    });
  });

  it('caps the promotions limit at 100 and refuses negative offsets', () => {
    expect(parseModel(PROMOTIONS, { limit: '500' }).limit).toBe(100);
    expect(failure(() => parseModel(PROMOTIONS, { offset: '-1' })).message).toBe(
      "Errors detected: 1 {'offset': 'ensure this value is greater than or equal to 0'}",
    );
    expect(failure(() => parseModel(PROMOTIONS, { commit_hash: 'a' })).message).toBe(
      'Both commit_hash and distro_hash must be specified if one of them is.',
    );
  });

  it('reads dates as UTC midnights and refuses anything else', () => {
    expect(parseDlrnDate('2026-11-25')).toBe(Date.UTC(2026, 10, 25) / 1000);
    expect(parseModel(METRICS, { start_date: '2026-1-5', end_date: '2026-02-01' }).start_date).toBe(
      Date.UTC(2026, 0, 5) / 1000,
    );
    for (const bad of ['2026-02-30', '25-11-2026', '2026/11/25', '', '2026-11-25T00:00']) {
      expect(failure(() => parseDlrnDate(bad)).message).toBe('Invalid date format, it must be YYYY-mm-dd');
    }
  });

  it('reads the JSON body for JSON requests, else the query string, else the form', () => {
    expect(inputOf({ contentType: 'application/json', query: { a: '1' }, body: { b: 2 } })).toEqual({ b: 2 });
    expect(inputOf({ contentType: 'application/merge-patch+json', query: {}, body: { b: 2 } })).toEqual({ b: 2 });
    expect(inputOf({ contentType: undefined, query: { a: ['1', '2'] }, body: undefined })).toEqual({ a: '1' });
    expect(inputOf({ contentType: 'application/x-www-form-urlencoded', query: {}, body: { c: '3' } })).toEqual({
      c: '3',
    });
    expect(failure(() => inputOf({ contentType: 'application/json', query: {}, body: [1] })).status).toBe(400);
  });

  it("prints Python's dict repr", () => {
    expect(pythonDictRepr({ a: "it's", b: 'x' })).toBe(`{'a': "it's", 'b': 'x'}`);
  });
});

describe('each kind of field, at its edges', () => {
  const SPEC: ModelSpec<{ n: number | null; b: boolean | null; s: string | null; r: string }> = {
    fields: {
      n: { kind: 'nonNegativeInt' },
      b: { kind: 'bool' },
      s: { kind: 'str' },
      r: { kind: 'strictStr', required: true },
    },
  };
  const parse = (input: Record<string, unknown>) => parseModel(SPEC, { r: 'x', ...input });

  it('takes 0 as a non-negative integer, the numbers 1 and 0 and the word 1 as booleans, a number as a string', () => {
    expect(parse({ n: 0, b: 1, s: 4.5 })).toEqual({ n: 0, b: true, s: '4.5', r: 'x' });
    expect(parse({ b: 0 })).toMatchObject({ b: false });
    expect(parse({ b: '1' })).toMatchObject({ b: true });
  });

  it('refuses 2 as a boolean, an infinite number as a string, and a number where only a string will do', () => {
    expect(failure(() => parse({ b: 2, s: Number.POSITIVE_INFINITY, r: 3 }))).toEqual({
      status: 400,
      message:
        "Errors detected: 3 {'b': 'value could not be parsed to a boolean', 's': 'str type expected', 'r': 'str type expected'}",
    });
  });

  it('reads a field given as undefined as absent, and null in a required field as refused', () => {
    expect(parse({ n: undefined })).toMatchObject({ n: null });
    expect(failure(() => parseModel(SPEC, { r: undefined }))).toEqual({
      status: 400,
      message: "Errors detected: 1 {'r': 'field required'}",
    });
    expect(failure(() => parseModel(SPEC, { r: null }))).toEqual({
      status: 400,
      message: "Errors detected: 1 {'r': 'none is not an allowed value'}",
    });
  });
});

describe('content types', () => {
  it('reads JSON whatever its parameters and blanks, and +json types', () => {
    expect(isJsonContentType('application/json ; charset=utf-8')).toBe(true);
    expect(isJsonContentType('Application/Problem+JSON')).toBe(true);
    expect(isJsonContentType('text/json')).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
  });

  it("wants exactly application/json where DLRN does, answering 415 in DLRN's words", () => {
    expect(() => requireExactJson('application/json')).not.toThrow();
    expect(failure(() => requireExactJson('application/json; charset=utf-8'))).toEqual({
      status: 415,
      message: 'Unsupported Media Type, use JSON',
    });
  });
});
