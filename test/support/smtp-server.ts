import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** SMTP envelope as the server saw it (MAIL FROM / RCPT TO). */
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  /** Header values as written on the wire, by lower-case name (`to` → `packagers`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly subject: string;
  readonly text: string;
}

export interface TestSmtpServer {
  readonly host: string;
  readonly port: number;
  /** `host:port`, the form `smtpserver` takes in projects.ini. */
  readonly address: string;
  readonly mails: readonly ReceivedMail[];
  /** Resolves once `count` mails have arrived; rejects after `timeoutMs`. */
  waitForMails(count: number, timeoutMs?: number): Promise<readonly ReceivedMail[]>;
  stop(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 and a free port, without auth or STARTTLS (stack notes §6),
 * collecting every mail parsed by mailparser. It greets after 100 ms (early-talker check).
 */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const headers: Record<string, string> = {};
          for (const { key, line } of parsed.headerLines) headers[key] = line.slice(line.indexOf(':') + 1).trim();
          mails.push({
            envelope: {
              from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            },
            headers,
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
          });
          for (const wake of waiters.splice(0)) wake();
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    mails,
    waitForMails(count, timeoutMs = 5_000) {
      return new Promise((done, fail) => {
        const timer = setTimeout(
          () => fail(new Error(`${mails.length}/${count} mails after ${timeoutMs} ms`)),
          timeoutMs,
        );
        const check = () => {
          if (mails.length >= count) {
            clearTimeout(timer);
            done(mails);
          } else waiters.push(check);
        };
        check();
      });
    },
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}
