import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '#domain/shared/event.js';
import { compileHistoryFilter } from './history-filter.js';

const event = (streamId: string, type = 'BuildStarted'): RecordedEvent => ({
  streamId,
  revision: 0,
  position: 1,
  type,
  data: {},
  metadata: {
    schemaVersion: 1,
    eventId: 'e',
    occurredAt: '2026-12-05T00:00:00Z',
    correlationId: 'c',
    causationId: null,
    actor: 'test',
  },
  recordedAt: '2026-12-05T00:00:00Z',
});

describe('compileHistoryFilter', () => {
  it('passes everything, and asks the store for no filter, when nothing is asked', () => {
    const { store, accepts } = compileHistoryFilter({});
    expect(store).toBeUndefined();
    expect(accepts(event('user-alice', 'UserCreated'))).toBe(true);
  });

  it("keeps exactly a package's streams: a prefix of another package's name is not its name", () => {
    const { store, accepts } = compileHistoryFilter({ package: 'python-nova' });
    expect(store).toEqual({ streamPrefixes: ['build-python-nova@', 'bisection-python-nova@', 'package-python-nova'] });
    expect(accepts(event('build-python-nova@abc_def'))).toBe(true);
    expect(accepts(event('bisection-python-nova@abc_def'))).toBe(true);
    expect(accepts(event('package-python-nova'))).toBe(true);
    expect(accepts(event('package-python-novaclient'))).toBe(false);
    expect(accepts(event('build-python-novaclient@abc_def'))).toBe(false);
    expect(accepts(event('civote-abc_def'))).toBe(false);
  });

  it('keeps one stream exactly (a build stream without extended hash is a prefix of one with it)', () => {
    const { accepts } = compileHistoryFilter({ stream: 'build-p@abc_def' });
    expect(accepts(event('build-p@abc_def'))).toBe(true);
    expect(accepts(event('build-p@abc_def_ext'))).toBe(false);
  });

  it('combines types with the streams, each type once', () => {
    const { store, accepts } = compileHistoryFilter({
      package: 'p',
      types: ['BuildFailed', 'BuildFailed', 'PackageSkipped'],
    });
    expect(store?.eventTypes).toEqual(['BuildFailed', 'PackageSkipped']);
    expect(accepts(event('build-p@a_b', 'BuildFailed'))).toBe(true);
    expect(accepts(event('build-p@a_b', 'BuildStarted'))).toBe(false);
    expect(accepts(event('build-q@a_b', 'BuildFailed'))).toBe(false);
  });
});
