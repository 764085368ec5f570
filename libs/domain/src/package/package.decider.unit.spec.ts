import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../../test/support/decider-spec.js';
import { packageDecider, PackageStreamMismatchError } from './package.decider.js';
import type { CulpritMailQueued, CulpritNotified, HistoryRewritten } from './package.events.js';

const spec = deciderSpec(packageDecider);

const rewrite = (knownCommit: string): HistoryRewritten['data'] => ({
  package: 'python-foo',
  repository: 'source',
  branch: 'master',
  knownCommit,
  newHead: 'f'.repeat(40),
});
const mail = {
  package: 'python-foo',
  buildId: 'b1',
  recipients: ['alice@example.org'],
  subject: 'python-foo failed',
  sentAt: 1_700_000_000,
};

describe('package facts', () => {
  describe('when a pass skips the package', () => {
    it('records the skip, every time', () => {
      const skipped = { type: 'PackageSkipped', data: { package: 'python-foo', reason: 'git fetch failed' } } as const;
      spec.given([skipped]).when({ type: 'RecordSkip', data: skipped.data }).then([skipped]);
    });
  });

  describe('when the branch was force-pushed past a known commit', () => {
    it('records the rewrite once', () => {
      spec
        .given([])
        .when({ type: 'RecordHistoryRewrite', data: rewrite('a'.repeat(40)) })
        .then([{ type: 'HistoryRewritten', data: rewrite('a'.repeat(40)) }]);
    });

    it('records nothing when that commit was already recorded as lost', () => {
      spec
        .given([{ type: 'HistoryRewritten', data: rewrite('a'.repeat(40)) }])
        .when({ type: 'RecordHistoryRewrite', data: rewrite('a'.repeat(40)) })
        .thenNothingHappens();
    });

    it('records the loss of another commit', () => {
      spec
        .given([{ type: 'HistoryRewritten', data: rewrite('a'.repeat(40)) }])
        .when({ type: 'RecordHistoryRewrite', data: rewrite('b'.repeat(40)) })
        .then([{ type: 'HistoryRewritten', data: rewrite('b'.repeat(40)) }]);
    });
  });

  describe('when the maintainers were told of a failure', () => {
    it('records the mail and the review step as they happened', () => {
      const review = { package: 'python-foo', buildId: 'b1', topic: 'rdo-FTBFS', exitCode: 0, output: '' };
      spec
        .given([])
        .when({ type: 'RecordFailureMail', data: mail })
        .then([{ type: 'FailureNotified', data: mail }]);
      spec
        .given([{ type: 'FailureNotified', data: mail }])
        .when({ type: 'RecordReviewRequest', data: review })
        .then([{ type: 'ReviewRequested', data: review }]);
    });
  });

  describe('when a command names another package than the stream', () => {
    it('refuses it', () => {
      spec
        .given([{ type: 'FailureNotified', data: mail }])
        .when({ type: 'RecordSkip', data: { package: 'python-bar', reason: 'x' } })
        .thenThrows(
          'PACKAGE_STREAM_MISMATCH',
          /^an event of package python-bar does not belong to the stream of python-foo$/,
        );
      expect(new PackageStreamMismatchError('python-foo', 'python-bar').details).toEqual({
        stream: 'python-foo',
        named: 'python-bar',
      });
    });
  });

  describe('when a bisection names a culprit', () => {
    const queued = (bisectionId: string): CulpritMailQueued['data'] => ({
      package: 'python-foo',
      bisectionId,
      commitHash: 'c'.repeat(40),
      recipients: ['alice@example.org'],
      subject: 'python-foo: culprit found',
      text: 'commit ccc broke the build',
      messageId: `culprit-${bisectionId}`,
    });
    const sent = (bisectionId: string): CulpritNotified['data'] => ({
      package: 'python-foo',
      bisectionId,
      messageId: `culprit-${bisectionId}`,
      sentAt: 1_700_000_100,
    });

    it('queues its mail once, however many passes find it, and the mail of another bisection too', () => {
      spec
        .given([])
        .when({ type: 'QueueCulpritMail', data: queued('b1') })
        .then([{ type: 'CulpritMailQueued', data: queued('b1') }]);
      spec
        .given([{ type: 'CulpritMailQueued', data: queued('b1') }])
        .when({ type: 'QueueCulpritMail', data: queued('b1') })
        .thenNothingHappens();
      spec
        .given([
          { type: 'CulpritMailQueued', data: queued('b1') },
          { type: 'CulpritMailQueued', data: queued('b2') },
        ])
        .when({ type: 'QueueCulpritMail', data: queued('b1') })
        .thenNothingHappens();
      spec
        .given([{ type: 'CulpritMailQueued', data: queued('b1') }])
        .when({ type: 'QueueCulpritMail', data: queued('b2') })
        .then([{ type: 'CulpritMailQueued', data: queued('b2') }]);
    });

    it('records the mail sent once, and a queued mail is not a sent one', () => {
      spec
        .given([{ type: 'CulpritMailQueued', data: queued('b1') }])
        .when({ type: 'RecordCulpritMail', data: sent('b1') })
        .then([{ type: 'CulpritNotified', data: sent('b1') }]);
      spec
        .given([
          { type: 'CulpritNotified', data: sent('b1') },
          { type: 'CulpritNotified', data: sent('b2') },
        ])
        .when({ type: 'RecordCulpritMail', data: sent('b1') })
        .thenNothingHappens();
      spec
        .given([{ type: 'CulpritNotified', data: sent('b1') }])
        .when({ type: 'RecordCulpritMail', data: sent('b2') })
        .then([{ type: 'CulpritNotified', data: sent('b2') }]);
    });

    it('keeps the rewrites it knew when culprit mails are queued and sent', () => {
      spec
        .given([
          { type: 'HistoryRewritten', data: rewrite('a'.repeat(40)) },
          { type: 'CulpritMailQueued', data: queued('b1') },
          { type: 'CulpritNotified', data: sent('b1') },
        ])
        .when({ type: 'RecordHistoryRewrite', data: rewrite('a'.repeat(40)) })
        .thenNothingHappens();
    });
  });
});
