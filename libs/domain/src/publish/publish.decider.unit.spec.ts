import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../../test/support/decider-spec.js';
import type { EventPayload } from '../shared/event.js';
import {
  MAX_PUBLISH_ATTEMPTS,
  PublishAlreadyRecordedError,
  publishDecider,
  publishStreamId,
  type PublishCommand,
} from './publish.decider.js';
import type { BuildPublishFailed, PublishedBuildRef } from './publish.events.js';

const spec = deciderSpec(publishDecider);

const build = (position: number): PublishedBuildRef => ({
  target: 'https://central.example.org',
  buildStream: `build-foo@${'a'.repeat(40)}_${'b'.repeat(40)}`,
  buildId: `build-${position}`,
  position,
  package: 'foo',
  commitHash: 'a'.repeat(40),
  distroHash: 'b'.repeat(40),
  repoUrl: `https://worker.example.org/repos/aa/aa/${position}`,
});
const refused = (position: number, attempt: number): EventPayload<BuildPublishFailed> => ({
  type: 'BuildPublishFailed',
  data: {
    ...build(position),
    status: 500,
    message: 'Remote import failed',
    attempt,
    gaveUp: attempt >= MAX_PUBLISH_ATTEMPTS,
  },
});
const refusal = (position: number) => ({ ...build(position), status: 500, message: 'Remote import failed' });

describe('publishing builds to a central service', () => {
  it('names one stream per central URL', () => {
    expect(publishStreamId('https://central.example.org')).toBe('publish-https://central.example.org');
  });

  describe('when the central service imported a build', () => {
    it('records it, and refuses to record it (or an older build) again', () => {
      spec
        .given([])
        .when({ type: 'RecordPublished', data: build(7) })
        .then([{ type: 'BuildPublished', data: build(7) }]);
      spec
        .given([{ type: 'BuildPublished', data: build(7) }])
        .when({ type: 'RecordPublished', data: build(7) })
        .thenThrows('PUBLISH_ALREADY_RECORDED');
      spec
        .given([{ type: 'BuildPublished', data: build(7) }])
        .when({ type: 'RecordPublishRefused', data: refusal(5) })
        .thenThrows('PUBLISH_ALREADY_RECORDED');
    });

    it('names the build and the cursor when a second publisher records it again', () => {
      spec
        .given([{ type: 'BuildPublished', data: build(7) }])
        .when({ type: 'RecordPublished', data: build(6) })
        .thenThrows('PUBLISH_ALREADY_RECORDED', /^the build at position 6 is behind the publish cursor \(7\)$/);
      expect(new PublishAlreadyRecordedError(6, 7).details).toEqual({ position: 6, done: 7 });
    });
  });

  describe('when the command is of no known type', () => {
    it('refuses it, naming it a publish command', () => {
      expect(() =>
        publishDecider.decide({ type: 'ForgetBuild', data: build(8) } as unknown as PublishCommand, {
          done: 0,
          refusals: null,
        }),
      ).toThrow(/^unexpected publish command: \{"type":"ForgetBuild",/);
    });
  });

  describe('when the central service refuses a build', () => {
    it('counts the attempts of that build, from 1', () => {
      spec
        .given([{ type: 'BuildPublished', data: build(3) }])
        .when({ type: 'RecordPublishRefused', data: refusal(7) })
        .then([refused(7, 1)]);
      spec
        .given([refused(7, 1), refused(7, 2)])
        .when({ type: 'RecordPublishRefused', data: refusal(7) })
        .then([refused(7, 3)]);
    });

    it(`gives up at the ${MAX_PUBLISH_ATTEMPTS}th refusal, and the next build starts at attempt 1`, () => {
      const four = [1, 2, 3, 4].map((n) => refused(7, n));
      spec
        .given(four)
        .when({ type: 'RecordPublishRefused', data: refusal(7) })
        .then([refused(7, 5)]);
      spec
        .given([...four, refused(7, 5)])
        .when({ type: 'RecordPublishRefused', data: refusal(9) })
        .then([refused(9, 1)]);
      spec
        .given([...four, refused(7, 5)])
        .when({ type: 'RecordPublished', data: build(7) })
        .thenThrows('PUBLISH_ALREADY_RECORDED');
    });

    it('knows from the last refusal alone that every build before it is done (builds go in order)', () => {
      spec
        .given([refused(7, 2)])
        .when({ type: 'RecordPublished', data: build(5) })
        .thenThrows('PUBLISH_ALREADY_RECORDED');
      spec
        .given([refused(7, 3)])
        .when({ type: 'RecordPublishRefused', data: refusal(7) })
        .then([refused(7, 4)]);
    });

    it('still takes the build once the central service accepts it', () => {
      spec
        .given([refused(7, 1), refused(7, 2)])
        .when({ type: 'RecordPublished', data: build(7) })
        .then([{ type: 'BuildPublished', data: build(7) }]);
    });
  });
});
