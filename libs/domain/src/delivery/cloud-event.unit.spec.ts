import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../shared/event.js';
import { cloudEventType, DELIVERED_EVENT_TYPES, retryDelayMs, toCloudEvent } from './cloud-event.js';

const recorded = (type: string, data: object): RecordedEvent => ({
  streamId: 'user-alice',
  revision: 3,
  position: 17,
  type,
  data,
  metadata: {
    schemaVersion: 1,
    eventId: '0192f3a4-5b6c-7d8e-9f01-23456789abcd',
    occurredAt: '2026-12-05T10:00:00.000Z',
    correlationId: 'c',
    causationId: null,
    actor: 'system',
  },
  recordedAt: '2026-12-05T10:00:00.001Z',
});

describe('CloudEvents mapping', () => {
  it('names types org.dlrn. and the event words, dotted and lower case', () => {
    expect(cloudEventType('BuildSucceeded')).toBe('org.dlrn.build.succeeded');
    expect(cloudEventType('CiVoteReported')).toBe('org.dlrn.ci.vote.reported');
    expect(cloudEventType('RepoPromoted')).toBe('org.dlrn.repo.promoted');
    // An acronym is one word; a lower-case start and digits too; a name without letters is kept whole.
    expect(cloudEventType('URLChanged')).toBe('org.dlrn.url.changed');
    expect(cloudEventType('CIVoteReported')).toBe('org.dlrn.ci.vote.reported');
    expect(cloudEventType('webhookDelivered')).toBe('org.dlrn.webhook.delivered');
    expect(cloudEventType('Sha256Computed')).toBe('org.dlrn.sha256.computed');
    expect(cloudEventType('__')).toBe('org.dlrn.__');
  });

  it('keeps the event id, time, stream and place in the log, and redacts secrets', () => {
    const event = toCloudEvent(recorded('UserPasswordChanged', { username: 'alice', passwordHash: '$6$x' }), 'urn:x');
    expect(event).toEqual({
      specversion: '1.0',
      id: '0192f3a4-5b6c-7d8e-9f01-23456789abcd',
      source: 'urn:x',
      type: 'org.dlrn.user.password.changed',
      time: '2026-12-05T10:00:00.000Z',
      subject: 'user-alice',
      datacontenttype: 'application/json',
      dlrntype: 'UserPasswordChanged',
      dlrnposition: 17,
      dlrnrevision: 3,
      data: { username: 'alice', passwordHash: '[redacted]' },
    });
  });

  it('delivers build, repo, vote and promotion events but no user or delivery event', () => {
    expect(DELIVERED_EVENT_TYPES).toContain('BuildFailed');
    expect(DELIVERED_EVENT_TYPES).toContain('RepoPromoted');
    expect(DELIVERED_EVENT_TYPES).toContain('AggregateRepoPublished');
    expect(DELIVERED_EVENT_TYPES).not.toContain('UserCreated');
    expect(DELIVERED_EVENT_TYPES).not.toContain('WebhookDeliveryDeadLettered');
  });

  it('doubles the wait after each failed attempt, up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(attempt, 1000, 5000))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });
});
