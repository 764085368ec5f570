import type { BisectionStarted, CulpritIdentified } from '../bisection/bisection.events.js';
import { isBisectionStep, type CommitDiscovered } from '../build/build.events.js';
import type { RecordedEvent } from '../shared/event.js';
import { escape } from './failure-mail.js';
import type { MailMessage } from './notification.ports.js';
import type { CulpritMailQueued, CulpritNotified, FailureNotified } from './package.events.js';

/** A culprit as the mails name it. */
export interface KnownCulprit {
  readonly package: string;
  readonly bisectionId: string;
  readonly commitHash: string;
  readonly lastGoodCommitHash: string;
  readonly steps: number;
}

/** A "culprit identified" mail that is due: who got the failure mail it follows. */
export interface CulpritMailDue extends KnownCulprit {
  readonly recipients: readonly string[];
}

/**
 * The events the ledger folds; the reader asks the store for these types only. A bisection that
 * ends inconclusive changes nothing here: no culprit, so no mail.
 */
export const CULPRIT_MAIL_EVENT_TYPES = [
  'CommitDiscovered',
  'BuildSucceeded',
  'FailureNotified',
  'BisectionStarted',
  'CulpritIdentified',
  'CulpritMailQueued',
  'CulpritNotified',
] as const;

interface Bisection {
  readonly started: BisectionStarted['data'];
  readonly position: number;
  culprit: { readonly data: CulpritIdentified['data']; readonly position: number } | null;
  /** The failure mail of this breakage sent before the culprit was known. */
  mailedBefore: FailureNotified['data'] | null;
}

type Folded = Pick<RecordedEvent, 'streamId' | 'position' | 'type' | 'data'>;

/**
 * What the culprit mails need of the log, folded in memory as the build history is: each
 * package's current bisection (cleared by a success of the package, as the status page's), the
 * failure mails, and the culprit mails queued and sent. Pure; the build pass feeds it.
 */
export class CulpritMailLedger {
  private readonly packageOfStream = new Map<string, string | null>();
  /** Per package: its current bisection (the latest started since its last success). */
  private readonly current = new Map<string, Bisection>();
  private readonly bisections = new Map<string, Bisection>();
  private readonly queued = new Map<string, CulpritMailQueued['data']>();
  private readonly sent = new Set<string>();
  private position = 0;

  get checkpoint(): number {
    return this.position;
  }

  apply(event: Folded): void {
    if (event.position <= this.position) return;
    this.position = event.position;
    switch (event.type) {
      case 'CommitDiscovered': {
        const data = event.data as CommitDiscovered['data'];
        // Bisection steps succeed without ending the breakage: only real builds clear it.
        this.packageOfStream.set(event.streamId, isBisectionStep(data) ? null : data.package);
        return;
      }
      case 'BuildSucceeded': {
        const pkg = this.packageOfStream.get(event.streamId);
        if (pkg) this.current.delete(pkg);
        return;
      }
      case 'FailureNotified': {
        const data = event.data as FailureNotified['data'];
        const bisection = this.current.get(data.package);
        // A mail of the breakage while it is bisected: the culprit, once known, follows it.
        if (bisection && bisection.culprit === null) bisection.mailedBefore = data;
        this.lastFailureMail.set(data.package, data);
        return;
      }
      case 'BisectionStarted': {
        const data = event.data as BisectionStarted['data'];
        const last = this.lastFailureMail.get(data.package) ?? null;
        const bisection: Bisection = {
          started: data,
          position: event.position,
          culprit: null,
          // The failure mail of the first bad build went before the bisection started.
          mailedBefore: last !== null && last.buildId === data.bad.buildId ? last : null,
        };
        this.bisections.set(data.bisectionId, bisection);
        this.current.set(data.package, bisection);
        return;
      }
      case 'CulpritIdentified': {
        const data = event.data as CulpritIdentified['data'];
        const bisection = this.bisections.get(data.bisectionId);
        if (bisection) bisection.culprit = { data, position: event.position };
        return;
      }
      case 'CulpritMailQueued': {
        const data = event.data as CulpritMailQueued['data'];
        this.queued.set(data.bisectionId, data);
        return;
      }
      case 'CulpritNotified':
        this.sent.add((event.data as CulpritNotified['data']).bisectionId);
        return;
    }
  }

  private readonly lastFailureMail = new Map<string, FailureNotified['data']>();

  /** The culprit of the package's current breakage, when its bisection found one. */
  culpritOf(pkg: string): KnownCulprit | null {
    const bisection = this.current.get(pkg);
    return bisection?.culprit ? known(bisection) : null;
  }

  /** Culprits found after the failure mail of their breakage went, with no mail queued for them yet. */
  due(): CulpritMailDue[] {
    const due: CulpritMailDue[] = [];
    for (const bisection of this.bisections.values()) {
      const { culprit, mailedBefore } = bisection;
      if (culprit === null || mailedBefore === null || this.queued.has(bisection.started.bisectionId)) continue;
      if (this.current.get(bisection.started.package) !== bisection) continue;
      due.push({ ...known(bisection), recipients: mailedBefore.recipients });
    }
    return due;
  }

  /** Culprit mails recorded as due and not recorded as sent: what the next pass sends. */
  pending(): CulpritMailQueued['data'][] {
    return [...this.queued.values()].filter((mail) => !this.sent.has(mail.bisectionId));
  }
}

function known(bisection: Bisection): KnownCulprit {
  const culprit = bisection.culprit!.data;
  return {
    package: culprit.package,
    bisectionId: culprit.bisectionId,
    commitHash: culprit.commitHash,
    lastGoodCommitHash: culprit.lastGoodCommitHash,
    steps: culprit.steps,
  };
}

/** The Message-ID's local part of a bisection's culprit mail: the same on every attempt. */
export function culpritMessageId(bisectionId: string): string {
  return `culprit-${bisectionId.replace(/[^A-Za-z0-9._-]/g, '-')}`;
}

/**
 * The second mail: the failure mail went out before the bisection named the culprit. Same
 * sender and `To:` as DLRN's failure mail; the text, like it, escaped as DLRN's template would.
 */
export function culpritMail(options: {
  readonly packageName: string;
  readonly recipients: readonly string[];
  readonly culprit: KnownCulprit;
  /** The commit's web page, when the forge is known. */
  readonly commitUrl: string | null;
  readonly upstreamUrl: string;
}): MailMessage {
  const { culprit } = options;
  return {
    from: 'no-reply@delorean.com',
    recipients: options.recipients,
    toHeader: 'packagers',
    subject: `[dlrn] ${options.packageName} culprit identified: ${culprit.commitHash.slice(0, 12)}`,
    messageId: culpritMessageId(culprit.bisectionId),
    text: [
      `The build failure of the package ${escape(options.packageName)} you were told about was bisected`,
      `against the upstream project[1] in ${culprit.steps} builds: the first bad commit is`,
      '',
      `  ${culprit.commitHash}`,
      `  ${escape(options.commitUrl ?? '')}`.trimEnd(),
      '',
      `The last good commit before it is ${culprit.lastGoodCommitHash}.`,
      '',
      `[1] - ${escape(options.upstreamUrl)}`,
      '',
    ].join('\n'),
  };
}

/** The lines the failure mail gains when the culprit is known as it goes. */
export function culpritLines(culprit: KnownCulprit, commitUrl: string | null): string[] {
  return [
    '',
    `A bisection identified the first bad upstream commit: ${culprit.commitHash}`,
    ...(commitUrl ? [escape(commitUrl)] : []),
    `(the last good one is ${culprit.lastGoodCommitHash}).`,
  ];
}
