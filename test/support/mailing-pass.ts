import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PackageInfo } from '#domain/package/package-info.js';
import type { Clock, IdGenerator } from '#domain/shared/ports.js';
import { loadProjectsIni } from '#infrastructure/config/index.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { NodemailerMailer } from '#infrastructure/mail/nodemailer.mailer.js';
import type { BuildLoopDeps } from '#application/build-pass/build-loop.types.js';
import { startSmtpServer, type TestSmtpServer } from './smtp-server.js';

/** What a pass that mails needs, over real parts; `close()` stops and removes them. */
export interface MailingPass {
  readonly smtp: TestSmtpServer;
  readonly store: SqliteEventStore;
  /** The build loop's dependencies that mails use: configuration, store, commands, mailer, clock, ids. */
  readonly deps: BuildLoopDeps;
  close(): Promise<void>;
}

/**
 * A test SMTP server and a mailer sending to it, a SQLite event store in a fresh directory named
 * `<prefix>…`, a projects.ini there (datadir, baseurl, target) and the build loop's dependencies
 * around them, with `clock`, `ids` and, if given, `packages`.
 */
export async function startMailingPass(
  prefix: string,
  clock: Clock,
  ids: IdGenerator,
  packages?: readonly PackageInfo[],
): Promise<MailingPass> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const smtp = await startSmtpServer();
  const mailer = new NodemailerMailer(smtp.address);
  const store = new SqliteEventStore(join(dir, 'events.sqlite'));
  writeFileSync(
    join(dir, 'projects.ini'),
    `[DEFAULT]\ndatadir=${dir}\nbaseurl=http://trunk.example.org/\ntarget=centos9\n`,
  );
  const deps: Partial<BuildLoopDeps> = {
    config: loadProjectsIni(join(dir, 'projects.ini')),
    ...(packages === undefined ? {} : { packages }),
    store,
    commands: new DeciderCommandHandler(store, ids, clock),
    mailer,
    reviews: null,
    clock,
    ids,
    log: () => undefined,
  };
  return {
    smtp,
    store,
    deps: deps as BuildLoopDeps,
    async close() {
      mailer.close();
      await smtp.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
