import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMA_VERSIONS, schemaVersionOf, upcast } from './catalogue.js';
import { promotionNameProblem } from './promotion/promotion-name.js';
import type { RecordedEvent } from './shared/event.js';
import { stampEvents } from './shared/stamp.js';

const recorded = (type: string, schemaVersion: number, data: object): RecordedEvent => ({
  streamId: 'x-1',
  revision: 0,
  position: 1,
  type,
  data,
  recordedAt: '2026-01-01T00:00:00.000Z',
  metadata: {
    schemaVersion,
    eventId: 'e1',
    occurredAt: '2026-01-01T00:00:00.000Z',
    correlationId: 'c',
    causationId: null,
    actor: 't',
  },
});

describe('event catalogue', () => {
  it('knows a version for every event type and refuses unknown ones', () => {
    expect(schemaVersionOf('CommitDiscovered')).toBe(2);
    expect(() => schemaVersionOf('Nope')).toThrow(
      expect.objectContaining({
        code: 'UNKNOWN_EVENT_TYPE',
        message: 'unknown event type Nope',
        details: { type: 'Nope' },
      }),
    );
    expect(Object.keys(EVENT_SCHEMA_VERSIONS).length).toBeGreaterThanOrEqual(20);
  });

  describe('when an event was stored with an older shape', () => {
    const registry = {
      versions: { Renamed: 3 },
      upcasters: {
        'Renamed@1': (d: Readonly<Record<string, unknown>>) => ({ fullName: d['name'] }),
        'Renamed@2': (d: Readonly<Record<string, unknown>>) => ({ ...d, kind: 'person' }),
      },
    };

    it('applies every upcaster in order and stamps the new version', () => {
      const event = upcast(recorded('Renamed', 1, { name: 'Ada' }), registry);
      expect(event.data).toEqual({ fullName: 'Ada', kind: 'person' });
      expect(event.metadata.schemaVersion).toBe(3);
    });

    it('refuses an event newer than this service', () => {
      expect(() => upcast(recorded('Renamed', 4, {}), registry)).toThrow(
        expect.objectContaining({
          code: 'EVENT_FROM_THE_FUTURE',
          message: expect.stringMatching(/version 4, this service knows 3: upgrade it$/),
        }),
      );
    });

    it('fails loudly when an upcaster is missing', () => {
      expect(() => upcast(recorded('Renamed', 1, {}), { versions: { Renamed: 2 }, upcasters: {} })).toThrow(
        expect.objectContaining({ code: 'MISSING_UPCASTER', message: 'no upcaster for Renamed from version 1' }),
      );
    });

    it('passes current and unknown events through untouched', () => {
      const current = recorded('Renamed', 3, { fullName: 'x' });
      expect(upcast(current, registry)).toBe(current);
      const unknown = recorded('FromTheFuture', 9, {});
      expect(upcast(unknown, registry)).toBe(unknown);
    });
  });

  describe('CommitDiscovered v1 (before builds had a purpose)', () => {
    const v1 = {
      package: 'p',
      project: 'p',
      type: 'rpm',
      commitHash: 'c1',
      distroHash: 'd1',
      extendedHash: null,
      dtCommit: 1,
      dtDistro: 1,
      dtExtended: null,
      commitBranch: 'master',
      component: null,
      upstreamUrl: null,
      distgitUrl: null,
      versionsCsv: null,
    };

    it('reads as a commit build, every other field kept, at version 2', () => {
      const event = upcast(recorded('CommitDiscovered', 1, v1));
      expect(event.data).toEqual({ ...v1, purpose: { kind: 'commit' } });
      expect(event.metadata.schemaVersion).toBe(2);
    });

    it('leaves a v2 event (a bisection step) as it was', () => {
      const v2 = { ...v1, purpose: { kind: 'bisection', bisectionId: 'bisection-p@a_b', step: 2 } };
      const event = recorded('CommitDiscovered', 2, v2);
      expect(upcast(event)).toBe(event);
    });
  });

  it('stamps decided payloads with ids, one instant, correlation and the schema version', () => {
    let n = 0;
    const events = stampEvents(
      [
        { type: 'UserDeleted', data: { username: 'a' } },
        { type: 'UserDeleted', data: { username: 'b' } },
      ],
      { correlationId: 'corr', causationId: 'cause', actor: 'user:admin', trigger: 'cli' },
      {
        ids: { next: () => `id-${++n}` },
        clock: { now: () => new Date('2026-11-25T00:00:00Z') },
        schemaVersion: schemaVersionOf,
      },
    );
    expect(events.map((e) => e.metadata)).toEqual([
      {
        schemaVersion: 1,
        eventId: 'id-1',
        occurredAt: '2026-11-25T00:00:00.000Z',
        correlationId: 'corr',
        causationId: 'cause',
        actor: 'user:admin',
        trigger: 'cli',
      },
      {
        schemaVersion: 1,
        eventId: 'id-2',
        occurredAt: '2026-11-25T00:00:00.000Z',
        correlationId: 'corr',
        causationId: 'cause',
        actor: 'user:admin',
        trigger: 'cli',
      },
    ]);
  });
});

describe('promotion names', () => {
  it.each([
    ['current', 'reserved'],
    ['consistent', 'reserved'],
    ['current_', 'reserved'],
    ['consistent_', 'reserved'],
    ['current-passed-ci_', 'reserved'],
    ['_', 'reserved'],
    ['..', 'path'],
    ['.', 'path'],
    ['', 'path'],
    ['a/b', 'path'],
    ['../x', 'path'],
    ['current-passed-ci', null],
    ['tripleo-ci-testing', null],
    ['_private', null],
  ])('classifies %j as %s', (name, problem) => {
    expect(promotionNameProblem(name)).toBe(problem);
  });
});
