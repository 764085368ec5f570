import { describe, expect, it } from 'vitest';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { parseModel } from '../http/dlrn-input.js';
import { EVENTS, resumeAfter } from './history-inputs.js';

const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DlrnHttpError);
    expect((error as DlrnHttpError).status).toBe(400);
    return (error as DlrnHttpError).message;
  }
  throw new Error('accepted');
};

describe('/api/events input', () => {
  it('defaults to the start of the log, pages of 100, redacted', () => {
    expect(parseModel(EVENTS, {})).toEqual({
      after: 0,
      limit: 100,
      type: null,
      package: null,
      build: null,
      redact: true,
    });
  });

  it('reads a comma list of known types', () => {
    expect(parseModel(EVENTS, { type: 'BuildFailed, UserCreated,' }).type).toEqual(['BuildFailed', 'UserCreated']);
  });

  it('refuses naming the parameter or the value', () => {
    expect(refusal(() => parseModel(EVENTS, { limit: '1001' }))).toBe('Invalid limit 1001: expected 1 to 1000');
    expect(refusal(() => parseModel(EVENTS, { after: '-3' }))).toContain("'after'");
    expect(refusal(() => parseModel(EVENTS, { type: 'BuildFailed,Made' }))).toBe(
      'Invalid type "Made": not a known event type',
    );
    expect(refusal(() => parseModel(EVENTS, { type: Array(100).fill('BuildFailed').join(',') }))).toContain('at most');
    expect(refusal(() => parseModel(EVENTS, { package: 'a/../b' }))).toContain('Invalid package');
    expect(refusal(() => parseModel(EVENTS, { build: 'x'.repeat(65) }))).toContain('Invalid build');
  });
});

describe('resumeAfter', () => {
  it('prefers Last-Event-ID, then after, then the head (null)', () => {
    expect(resumeAfter('42', 7)).toBe(42);
    expect(resumeAfter(undefined, 7)).toBe(7);
    expect(resumeAfter('', null)).toBeNull();
    expect(resumeAfter(undefined, null)).toBeNull();
  });

  it('refuses anything but a position', () => {
    for (const bad of ['-1', '1e3', 'abc', '9'.repeat(16)]) {
      expect(refusal(() => resumeAfter(bad, null))).toContain('Last-Event-ID');
    }
  });
});
