import type { MailMessage } from './notification.ports.js';

/** DLRN's autoescaped Jinja2 template escapes these even in a plain-text mail; kept for fidelity. */
export function escape(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll("'", '&#39;')
    .replaceAll('"', '&#34;');
}

/** The failure mail of DLRN §8.1: sender, `To: packagers`, subject and body line for line. */
export function failureMail(options: {
  readonly packageName: string;
  readonly maintainers: readonly string[];
  readonly upstreamUrl: string;
  readonly logUrl: string;
  readonly distgitUrl: string;
  /** Lines naming the culprit, when a bisection found it before the mail went (not DLRN's). */
  readonly culpritLines?: readonly string[];
}): MailMessage {
  const name = escape(options.packageName);
  return {
    from: 'no-reply@delorean.com',
    recipients: options.maintainers,
    toHeader: 'packagers',
    subject: `[dlrn] ${options.packageName} master package build failed`,
    text: [
      `A build of the package ${name} has failed against the current master[1] of`,
      'the upstream project, please see log[2] and update the packaging[3].',
      ...(options.culpritLines ?? []),
      '',
      'You are receiving this email because you are listed as one of the',
      `maintainers for the ${name}.`,
      '',
      `[1] - ${escape(options.upstreamUrl)}`,
      `[2] - ${escape(options.logUrl)}`,
      `[3] - ${escape(options.distgitUrl)}`,
      '',
    ].join('\n'),
  };
}
