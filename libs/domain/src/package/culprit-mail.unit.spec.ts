import { describe, expect, it } from 'vitest';
import { culpritLines, culpritMail, culpritMessageId, CulpritMailLedger, type KnownCulprit } from './culprit-mail.js';

/** A ledger given these events, in order (positions from 1). */
function given(...events: [streamId: string, type: string, data: object][]): CulpritMailLedger {
  const ledger = new CulpritMailLedger();
  events.forEach(([streamId, type, data], i) => ledger.apply({ streamId, position: i + 1, type, data }));
  return ledger;
}

const started = (buildId: string | null) =>
  [
    'bisection-nova@c1_c4',
    'BisectionStarted',
    {
      bisectionId: 'bis-1',
      package: 'nova',
      good: { commitHash: 'c1', distroHash: 'd', extendedHash: null, buildId: 'b1' },
      bad: { commitHash: 'c4', distroHash: 'd', extendedHash: null, buildId },
      candidates: ['c2', 'c3', 'c4'],
      trigger: 'auto',
    },
  ] as [string, string, object];
const culprit = [
  'bisection-nova@c1_c4',
  'CulpritIdentified',
  {
    bisectionId: 'bis-1',
    package: 'nova',
    commitHash: 'c3',
    distroHash: 'd',
    buildId: null,
    lastGoodCommitHash: 'c2',
    steps: 2,
  },
] as [string, string, object];
const mailed = (buildId: string) =>
  [
    'package-nova',
    'FailureNotified',
    { package: 'nova', buildId, recipients: ['a@example.org'], subject: 's', sentAt: 1 },
  ] as [string, string, object];

describe('CulpritMailLedger', () => {
  describe('before a culprit is found, or when the bisection ends without one', () => {
    it('has nothing due, though the failure mail went', () => {
      expect(given(mailed('b4'), started('b4')).due()).toEqual([]);
      const inconclusive = [
        'bisection-nova@c1_c4',
        'BisectionInconclusive',
        { bisectionId: 'bis-1', package: 'nova', reason: 'retries_exhausted', detail: 'x', steps: 1 },
      ] as [string, string, object];
      expect(given(mailed('b4'), started('b4'), inconclusive).due()).toEqual([]);
      expect(given(mailed('b4'), started('b4'), inconclusive).pending()).toEqual([]);
    });
  });

  describe('when an event comes again at or below the position already applied', () => {
    it('ignores it: a bisection started again does not forget its culprit', () => {
      const ledger = given(mailed('b4'), started('b4'), culprit);
      const [streamId, type, data] = started('b4');
      ledger.apply({ streamId, position: 2, type, data });
      ledger.apply({ streamId, position: 3, type, data });
      expect(ledger.due()).toHaveLength(1);
      expect(ledger.checkpoint).toBe(3);
    });
  });

  describe('when the failure mail of the bad build went before the culprit was found', () => {
    it('has a culprit mail due, to the same recipients', () => {
      expect(given(mailed('b4'), started('b4'), culprit).due()).toEqual([
        {
          package: 'nova',
          bisectionId: 'bis-1',
          commitHash: 'c3',
          lastGoodCommitHash: 'c2',
          steps: 2,
          recipients: ['a@example.org'],
        },
      ]);
    });

    it('has none due once it is queued, and none pending once it is sent', () => {
      const queued = [
        'package-nova',
        'CulpritMailQueued',
        {
          package: 'nova',
          bisectionId: 'bis-1',
          commitHash: 'c3',
          recipients: [],
          subject: 's',
          text: 't',
          messageId: 'm',
        },
      ] as [string, string, object];
      const ledger = given(mailed('b4'), started('b4'), culprit, queued);
      expect(ledger.due()).toEqual([]);
      expect(ledger.pending()).toHaveLength(1);
      const sent = given(mailed('b4'), started('b4'), culprit, queued, [
        'package-nova',
        'CulpritNotified',
        { package: 'nova', bisectionId: 'bis-1', messageId: 'm', sentAt: 2 },
      ]);
      expect(sent.pending()).toEqual([]);
    });
  });

  describe('when no failure mail went for the breakage (throttled, or another build)', () => {
    it('has nothing due', () => {
      expect(given(mailed('b0'), started('b4'), culprit).due()).toEqual([]);
    });
  });

  describe('when the culprit is known before the next failure mail', () => {
    it('names it for that mail and has no second mail due', () => {
      const ledger = given(started('b4'), culprit, mailed('b5'));
      expect(ledger.culpritOf('nova')).toMatchObject({ commitHash: 'c3' });
      expect(ledger.due()).toEqual([]);
    });
  });

  describe('when the package built successfully since', () => {
    it('names no culprit, and a bisection step succeeding does not count', () => {
      const step = [
        'build-nova@c2_d',
        'CommitDiscovered',
        { package: 'nova', purpose: { kind: 'bisection', bisectionId: 'bis-1', step: 1 } },
      ] as [string, string, object];
      const real = ['build-nova@c5_d', 'CommitDiscovered', { package: 'nova', purpose: { kind: 'commit' } }] as [
        string,
        string,
        object,
      ];
      const stepped = given(started('b4'), culprit, step, ['build-nova@c2_d', 'BuildSucceeded', { buildId: 's1' }]);
      expect(stepped.culpritOf('nova')).not.toBeNull();
      const fixed = given(mailed('b4'), started('b4'), culprit, real, [
        'build-nova@c5_d',
        'BuildSucceeded',
        { buildId: 'b5' },
      ]);
      expect(fixed.culpritOf('nova')).toBeNull();
      expect(fixed.due()).toEqual([]);
    });
  });
});

describe('the culprit mail', () => {
  const known: KnownCulprit = {
    package: 'nova',
    bisectionId: 'bisection-nova@c1_c4',
    commitHash: '0123456789abcdef0123',
    lastGoodCommitHash: 'fedcba9876543210',
    steps: 3,
  };

  describe('when the commit has a web page', () => {
    it("is DLRN's failure mail's sender and To:, the culprit's short hash in the subject, and the text line for line, escaped", () => {
      const mail = culpritMail({
        packageName: 'nova<&>',
        recipients: ['a@example.org', 'b@example.org'],
        culprit: known,
        commitUrl: 'https://forge/commit?a=1&b="2"',
        upstreamUrl: "https://git/nova's",
      });
      expect(mail).toEqual({
        from: 'no-reply@delorean.com',
        recipients: ['a@example.org', 'b@example.org'],
        toHeader: 'packagers',
        subject: '[dlrn] nova<&> culprit identified: 0123456789ab',
        messageId: 'culprit-bisection-nova-c1_c4',
        text: [
          'The build failure of the package nova&lt;&amp;&gt; you were told about was bisected',
          'against the upstream project[1] in 3 builds: the first bad commit is',
          '',
          '  0123456789abcdef0123',
          '  https://forge/commit?a=1&amp;b=&#34;2&#34;',
          '',
          'The last good commit before it is fedcba9876543210.',
          '',
          '[1] - https://git/nova&#39;s',
          '',
        ].join('\n'),
      });
    });
  });

  describe('when the forge is not known', () => {
    it('leaves the link line empty, without trailing blanks', () => {
      const mail = culpritMail({
        packageName: 'nova',
        recipients: [],
        culprit: known,
        commitUrl: null,
        upstreamUrl: 'u',
      });
      expect(mail.text.split('\n')[4]).toBe('');
    });
  });

  describe('its Message-ID', () => {
    it('keeps letters, digits, dots, underscores and dashes of the bisection id and replaces the rest', () => {
      expect(culpritMessageId('bisection-Nova.x@c1_c4/é')).toBe('culprit-bisection-Nova.x-c1_c4--');
    });
  });

  describe('the lines the failure mail gains', () => {
    it('name the culprit, its page when known (escaped), and the last good commit', () => {
      expect(culpritLines(known, 'https://forge/c?a&b')).toEqual([
        '',
        'A bisection identified the first bad upstream commit: 0123456789abcdef0123',
        'https://forge/c?a&amp;b',
        '(the last good one is fedcba9876543210).',
      ]);
      expect(culpritLines(known, null)).toEqual([
        '',
        'A bisection identified the first bad upstream commit: 0123456789abcdef0123',
        '(the last good one is fedcba9876543210).',
      ]);
    });
  });
});
