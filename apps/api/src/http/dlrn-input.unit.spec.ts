import { describe, expect, it } from 'vitest';
import { LAST_TESTED_REPO, METRICS, PROMOTE, PROMOTIONS, REPORT_RESULT, parseDlrnDate } from '../dlrn/dlrn-inputs.js';
import { DlrnHttpError } from './dlrn-http.error.js';
import { inputOf, parseModel, pythonDictRepr } from './dlrn-input.js';

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
