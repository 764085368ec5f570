export interface MailMessage {
  /** Envelope and header sender. */
  readonly from: string;
  /** Envelope recipients (the maintainers). */
  readonly recipients: readonly string[];
  /** The `To:` header (DLRN writes the literal `packagers`). */
  readonly toHeader: string;
  readonly subject: string;
  readonly text: string;
  /**
   * The Message-ID's local part, for a mail that may be sent again after a crash (the culprit
   * mail): the copy carries the same id. Absent: a fresh one per mail.
   */
  readonly messageId?: string;
}

/** Sends mail through the configured SMTP server (`smtpserver`: `host` or `host:port`). */
export abstract class Mailer {
  abstract send(message: MailMessage): Promise<void>;
}

export interface ReviewRequest {
  readonly packageName: string;
  readonly outputDir: string;
  readonly datadir: string;
  readonly baseurl: string;
  readonly distgitDir: string;
  /** GERRIT_URL, GERRIT_LOG, GERRIT_MAINTAINERS, GERRIT_TOPIC plus the --build-env variables. */
  readonly env: Readonly<Record<string, string>>;
}

/** Runs the Gerrit review step (DLRN's `submit_review.sh`); output lands in `review.log`. */
export abstract class ReviewRunner {
  /** Never throws for a failing script: returns its exit code. */
  abstract run(request: ReviewRequest): Promise<{ readonly exitCode: number; readonly output: string }>;
}
