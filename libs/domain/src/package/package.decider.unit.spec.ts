import { describe, it } from 'vitest';
import { deciderSpec } from '../../../../test/support/decider-spec.js';
import { packageDecider } from './package.decider.js';
import type { HistoryRewritten } from './package.events.js';

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
        .thenThrows('PACKAGE_STREAM_MISMATCH');
    });
  });
});
