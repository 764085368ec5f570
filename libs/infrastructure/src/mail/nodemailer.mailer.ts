import { randomUUID } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { type MailMessage, Mailer } from '#domain/package/notification.ports.js';

/** A mail could not be handed to the SMTP server. The caller records it and carries on. */
export class MailDeliveryError extends Error {
  /** Stable code for the CLI/HTTP layers; never rename. */
  readonly code = 'MAIL_DELIVERY_FAILED';

  constructor(
    /** `host:port` of the server that was tried. */
    readonly server: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`could not send mail through SMTP server ${server}: ${reason}`, options);
    this.name = 'MailDeliveryError';
  }
}

export interface SmtpServerAddress {
  readonly host: string;
  readonly port: number;
}

const DEFAULT_PORT = 25;

/**
 * `smtpserver` as Python's `smtplib.SMTP(host)` reads it: `host` or `host:port`, split at the
 * colon only when there is exactly one (so a bare IPv6 address is a host), port 0 or absent
 * meaning 25. A non-numeric port is refused, as smtplib refuses it.
 */
export function parseSmtpServer(value: string): SmtpServerAddress {
  const trimmed = value.trim();
  const colon = trimmed.indexOf(':');
  if (colon < 0 || colon !== trimmed.lastIndexOf(':')) {
    if (trimmed === '') throw new Error('smtpserver is empty');
    return { host: trimmed, port: DEFAULT_PORT };
  }
  const host = trimmed.slice(0, colon);
  const portText = trimmed.slice(colon + 1);
  if (host === '') throw new Error(`smtpserver ${JSON.stringify(value)}: no host`);
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
    throw new Error(`smtpserver ${JSON.stringify(value)}: port must be a number from 1 to 65535`);
  }
  const port = Number(portText);
  return { host, port: port === 0 ? DEFAULT_PORT : port };
}

export interface NodemailerMailerOptions {
  /** How long to wait for the TCP connection and for the greeting, each. */
  readonly connectionTimeoutMs?: number;
  /** Idle time allowed on an open connection before giving up. */
  readonly socketTimeoutMs?: number;
}

/**
 * Plain SMTP as DLRN speaks it (`smtplib.SMTP(smtpserver).sendmail(...)`): no authentication,
 * no TLS. `ignoreTLS` is always on: DLRN never issues STARTTLS, and nodemailer's opportunistic
 * upgrade would make delivery fail on internal relays whose certificates do not verify, where
 * DLRN delivers. Connections are pooled, since a run can fail many packages in a row.
 */
export class NodemailerMailer extends Mailer {
  readonly server: string;
  private readonly transport: Transporter;

  constructor(smtpserver: string, options: NodemailerMailerOptions = {}) {
    super();
    const { host, port } = parseSmtpServer(smtpserver);
    this.server = `${host}:${port}`;
    const timeout = options.connectionTimeoutMs ?? 30_000;
    this.transport = nodemailer.createTransport({
      pool: true,
      maxConnections: 1,
      host,
      port,
      secure: false,
      ignoreTLS: true,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: options.socketTimeoutMs ?? 60_000,
    });
  }

  override async send(message: MailMessage): Promise<void> {
    if (message.recipients.length === 0) throw new MailDeliveryError(this.server, 'the mail has no recipients');
    // Values come from package metadata; a line break would let them write extra headers.
    for (const value of [message.from, message.toHeader, message.subject, ...message.recipients]) {
      if (/[\r\n]/.test(value)) throw new MailDeliveryError(this.server, `line break in ${JSON.stringify(value)}`);
    }
    try {
      await this.transport.sendMail({
        envelope: { from: message.from, to: [...message.recipients] },
        raw: composeMessage(message, new Date(), message.messageId ?? randomUUID()),
      });
    } catch (error) {
      throw new MailDeliveryError(this.server, error instanceof Error ? error.message : String(error), {
        cause: error,
      });
    }
  }

  /** Closes the pooled connection at shutdown; later sends reject. */
  close(): void {
    this.transport.close();
  }
}

/**
 * The message as Python's `MIMEText(body)` renders it, with Subject, From and To added: the
 * `To:` header is the literal `packagers`, which nodemailer drops from its own headers as it is
 * no address, hence a raw message. Date and Message-ID are added (smtplib adds neither) because
 * relays and spam filters penalise mail without them. Non-ASCII goes out as UTF-8 (base64 body,
 * RFC 2047 subject), as the Python email package does.
 */
export function composeMessage(message: MailMessage, date: Date, id: string): string {
  const ascii = (value: string) => [...value].every((char) => char.charCodeAt(0) < 0x80);
  const textIsAscii = ascii(message.text);
  const domain = message.from.includes('@') ? message.from.slice(message.from.lastIndexOf('@') + 1) : 'localhost';
  const subject = ascii(message.subject)
    ? message.subject
    : `=?utf-8?b?${Buffer.from(message.subject, 'utf8').toString('base64')}?=`;
  const headers = [
    `Content-Type: text/plain; charset="${textIsAscii ? 'us-ascii' : 'utf-8'}"`,
    'MIME-Version: 1.0',
    `Content-Transfer-Encoding: ${textIsAscii ? '7bit' : 'base64'}`,
    `Subject: ${subject}`,
    `From: ${message.from}`,
    `To: ${message.toHeader}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${id}@${domain}>`,
  ];
  const body = textIsAscii
    ? message.text.replace(/\r?\n/g, '\r\n')
    : (
        Buffer.from(message.text, 'utf8')
          .toString('base64')
          .match(/.{1,76}/g) ?? []
      ).join('\r\n') + '\r\n';
  return `${headers.join('\r\n')}\r\n\r\n${body}`;
}
