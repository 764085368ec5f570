import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureMail } from '#domain/package/failure-mail.js';
import { type TestSmtpServer, startSmtpServer } from '../../../../test/support/smtp-server.js';
import { NodemailerMailer, parseSmtpServer } from './nodemailer.mailer.js';

const mail = failureMail({
  packageName: 'python-glanceclient',
  maintainers: ['alice@example.org', 'bob@example.org'],
  upstreamUrl: 'https://github.com/openstack/python-glanceclient',
  logUrl: 'https://trunk.example.org/centos9/ab/cd/abcd_1234',
  distgitUrl: 'https://github.com/rdo-packages/glanceclient-distgit.git?a=1&b=2',
});

describe('when a failure mail is sent to a running SMTP server', () => {
  let smtp: TestSmtpServer;
  let mailer: NodemailerMailer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    mailer = new NodemailerMailer(smtp.address);
  });
  afterAll(async () => {
    mailer.close();
    await smtp.stop();
  });

  it('arrives with the maintainers as envelope, To: packagers, and the subject and body', async () => {
    await mailer.send(mail);
    const [received] = await smtp.waitForMails(1);
    expect(received?.envelope).toEqual({
      from: 'no-reply@delorean.com',
      to: ['alice@example.org', 'bob@example.org'],
    });
    expect(received?.headers).toMatchObject({
      to: 'packagers',
      from: 'no-reply@delorean.com',
      subject: '[dlrn] python-glanceclient master package build failed',
    });
    expect(received?.subject).toBe('[dlrn] python-glanceclient master package build failed');
    expect(received?.text).toBe(mail.text);
    expect(received?.text).toContain('[3] - https://github.com/rdo-packages/glanceclient-distgit.git?a=1&amp;b=2');
  });
});

describe('when the smtpserver option is read', () => {
  it.each([
    ['localhost', { host: 'localhost', port: 25 }],
    ['mail.example.org:2525', { host: 'mail.example.org', port: 2525 }],
    ['relay:0', { host: 'relay', port: 25 }],
    ['::1', { host: '::1', port: 25 }],
  ])('reads %s as smtplib does', (value, expected) => {
    expect(parseSmtpServer(value)).toEqual(expected);
  });

  it.each(['relay:smtp', 'relay:', ':25', '', 'relay:70000'])('refuses %j', (value) => {
    expect(() => parseSmtpServer(value)).toThrow(/smtpserver/);
  });
});

describe('when nothing listens on the SMTP port', () => {
  it('rejects with an error naming host:port, so that the caller can record it', async () => {
    const port = await new Promise<number>((done) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => done(free));
      });
    });
    const mailer = new NodemailerMailer(`127.0.0.1:${port}`, { connectionTimeoutMs: 2_000 });
    try {
      await expect(mailer.send(mail)).rejects.toMatchObject({
        code: 'MAIL_DELIVERY_FAILED',
        server: `127.0.0.1:${port}`,
        message: expect.stringMatching(new RegExp(`SMTP server 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`)),
      });
    } finally {
      mailer.close();
    }
  });
});

describe('when the package name is not ASCII', () => {
  it('arrives decoded, subject and body', async () => {
    const smtp = await startSmtpServer();
    const mailer = new NodemailerMailer(smtp.address);
    try {
      const accented = failureMail({
        packageName: 'python-café',
        maintainers: ['m@example.org'],
        upstreamUrl: 'u',
        logUrl: 'l',
        distgitUrl: 'd',
      });
      await mailer.send(accented);
      const [received] = await smtp.waitForMails(1);
      expect(received?.subject).toBe('[dlrn] python-café master package build failed');
      expect(received?.text).toBe(accented.text);
    } finally {
      mailer.close();
      await smtp.stop();
    }
  });
});

describe('when a header value holds a line break', () => {
  it('refuses to send rather than let it write headers', async () => {
    const mailer = new NodemailerMailer('127.0.0.1:1');
    try {
      await expect(mailer.send({ ...mail, subject: 'x\r\nBcc: evil@example.org' })).rejects.toThrow(/line break/);
    } finally {
      mailer.close();
    }
  });
});
