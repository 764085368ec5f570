import { createReadStream, statSync } from 'node:fs';
import type { Command } from 'commander';
import { DomainError } from '#domain/shared/errors.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import { EventLogError } from '#application/event-log/log-chain.js';
import { copyLog } from '#application/event-log/log-copier.js';
import { exportLog } from '#application/event-log/log-exporter.js';
import { importLog } from '#application/event-log/log-importer.js';
import { verifyLog } from '#application/event-log/log-verifier.js';
import { ConfigError, loadProjectsIni } from '#infrastructure/config/index.js';
import { eventStoreTargetFromUrl, openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import type { CliIo } from '../cli-io.js';
import { atomicFileOutput, progressLine, streamOutput, type ExportOutput } from './events-output.js';

const CONFIG_HELP = "DLRN's projects.ini (its [service] event_store)";
/** Reads of the file: large enough that a million-event log is a few thousand reads. */
const CHUNK = 1 << 20;

/** `dlrn events export|verify|import|copy`: the log as a chained NDJSON file, or copied store to store (docs/event-store.md). */
export function registerEvents(program: Command, io: CliIo, exit: (code: number) => void): void {
  const events = program
    .command('events')
    .description(
      'the event log as a verifiable file: export it, verify it, import it into an empty store; or copy it store to store',
    );
  events
    .command('export')
    .description(
      'write the log as NDJSON, each line chained to the one before by its SHA-256 (password hashes redacted)',
    )
    .option('--config-file <file>', CONFIG_HELP, 'projects.ini')
    .option('--output <file>', 'write this file (atomically) instead of standard output')
    .option('--full', 'keep the password hashes: a backup to restore users from (keep it private)')
    .action(async (flags: { configFile: string; output?: string; full?: boolean }) => exit(await runExport(flags, io)));
  events
    .command('verify')
    .description('check every line of an exported log; exit 1 naming the first bad line')
    .argument('<file>', 'the exported log')
    .option('--config-file <file>', `also check that the file is this store's log, event for event (${CONFIG_HELP})`)
    .action(async (file: string, flags: { configFile?: string }) => exit(await runVerify(file, flags, io)));
  events
    .command('import')
    .description('verify an exported log, then write it into an empty event store as it was recorded')
    .argument('<file>', 'the exported log')
    .option('--config-file <file>', CONFIG_HELP, 'projects.ini')
    .action(async (file: string, flags: { configFile: string }) => exit(await runImport(file, flags, io)));
  events
    .command('copy')
    .description(
      'copy the log from one store to another (resumable), then check both by count and chained SHA-256; ' +
        'into KurrentDB the events are appended anew (it assigns positions and commit times)',
    )
    .requiredOption('--from <url>', 'the source store: sqlite:///<path>, postgresql://…, kurrentdb://…')
    .requiredOption('--to <url>', 'the target store: empty, or holding a copy cut short (same URL forms)')
    .action(async (flags: { from: string; to: string }) => exit(await runCopy(flags, io)));
  events.exitOverride();
}

const fail = (io: CliIo, message: string): number => (io.err(`dlrn: error: ${message}\n`), 1);

async function withStore(configFile: string, io: CliIo, work: (store: EventStore) => Promise<number>): Promise<number> {
  let store: EventStore;
  try {
    store = await openEventStore(loadProjectsIni(configFile).service.eventStoreTarget);
  } catch (error) {
    if (error instanceof ConfigError) return fail(io, error.message);
    throw error;
  }
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function runExport(flags: { configFile: string; output?: string; full?: boolean }, io: CliIo): Promise<number> {
  return withStore(flags.configFile, io, async (store) => {
    let output: ExportOutput;
    try {
      output = flags.output === undefined ? streamOutput(process.stdout) : await atomicFileOutput(flags.output);
    } catch (error) {
      return fail(io, `${flags.output}: cannot write: ${(error as Error).message}`);
    }
    const progress = progressLine(process.stderr, 'dlrn events export');
    try {
      const summary = await exportLog(store, {
        redact: !flags.full,
        write: (text) => output.write(text),
        progress: (n, done) => progress.update(n, done),
      });
      await output.commit();
      progress.clear();
      const line =
        `exported ${summary.events} events, last position ${summary.lastPosition}, sha256 ${summary.lastHash}` +
        (summary.redacted ? ' (password hashes redacted)\n' : ' (full: password hashes included, keep it private)\n');
      // The log itself may be on standard output: the summary goes beside it, not into it.
      if (flags.output === undefined) io.err(line);
      else io.out(line);
      return 0;
    } catch (error) {
      progress.clear();
      await output.abort();
      if (error instanceof DomainError) return fail(io, error.message);
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') return fail(io, 'standard output was closed mid-export');
      throw error;
    }
  });
}

/** The file as chunks, or the reason it cannot be read. */
function openLog(file: string): (() => AsyncIterable<Buffer>) | string {
  try {
    if (!statSync(file).isFile()) return `${file}: not a file`;
  } catch (error) {
    return `${file}: cannot read: ${(error as Error).message}`;
  }
  return () => createReadStream(file, { highWaterMark: CHUNK });
}

async function runVerify(file: string, flags: { configFile?: string }, io: CliIo): Promise<number> {
  const open = openLog(file);
  if (typeof open === 'string') return fail(io, open);
  const verify = async (store?: EventStore): Promise<number> => {
    const progress = progressLine(process.stderr, 'dlrn events verify');
    try {
      const summary = await verifyLog(open(), { store, progress: (n) => progress.update(n) });
      progress.clear();
      const against =
        summary.newerInStore === undefined
          ? ''
          : `, the store's log${summary.newerInStore > 0 ? ` (${summary.newerInStore} newer events in the store)` : ''}`;
      io.out(
        `${file}: ok, ${summary.events} events, last position ${summary.lastPosition}, sha256 ${summary.lastHash}${against}\n`,
      );
      return 0;
    } catch (error) {
      progress.clear();
      if (error instanceof DomainError) return fail(io, `${file}: ${error.message}`);
      throw error;
    }
  };
  return flags.configFile === undefined ? verify() : withStore(flags.configFile, io, verify);
}

async function runImport(file: string, flags: { configFile: string }, io: CliIo): Promise<number> {
  const open = openLog(file);
  if (typeof open === 'string') return fail(io, open);
  return withStore(flags.configFile, io, async (store) => {
    const progress = progressLine(process.stderr, 'dlrn events import');
    try {
      const summary = await importLog(store, open, { progress: (n, done) => progress.update(n, done) });
      progress.clear();
      if (summary.redacted && summary.withSecrets > 0) {
        io.err(
          `dlrn events import: warning: ${file} is a redacted export: the ${summary.withSecrets} user events carry no ` +
            'password hash, so those users cannot log in (export with --full for a backup)\n',
        );
      }
      const resumed = summary.alreadyStored > 0 ? ` (${summary.alreadyStored} were there already)` : '';
      io.out(
        `imported ${summary.imported} events${resumed}, last position ${summary.lastPosition}, sha256 ${summary.lastHash}\n` +
          'the views follow once a projector runs on an empty read-model store (dlrn projector)\n',
      );
      return 0;
    } catch (error) {
      progress.clear();
      if (error instanceof EventLogError) return fail(io, `${file}: ${error.message}`);
      if (error instanceof DomainError) return fail(io, error.message);
      throw error;
    }
  });
}

async function runCopy(flags: { from: string; to: string }, io: CliIo): Promise<number> {
  let from, to;
  try {
    from = eventStoreTargetFromUrl(flags.from, process.cwd());
    to = eventStoreTargetFromUrl(flags.to, process.cwd());
  } catch (error) {
    if (error instanceof RangeError) return fail(io, error.message);
    throw error;
  }
  if (from.url === to.url) return fail(io, `--from and --to name the same store (${from.url})`);
  const stores: EventStore[] = [];
  try {
    for (const [flag, target] of [
      ['--from', from],
      ['--to', to],
    ] as const) {
      try {
        stores.push(await openEventStore(target));
      } catch (error) {
        return fail(io, `${flag} ${redactUrl(target.url)}: cannot open: ${(error as Error).message}`);
      }
    }
    const progress = progressLine(process.stderr, 'dlrn events copy');
    try {
      const summary = await copyLog(stores[0]!, stores[1]!, { progress: (n, done) => progress.update(n, done) });
      progress.clear();
      const resumed = summary.alreadyStored > 0 ? ` (${summary.alreadyStored} were there already)` : '';
      const how =
        summary.mode === 'exact'
          ? 'positions and commit times kept'
          : 'appended anew: the target assigned its own positions and commit times';
      io.out(
        `copied ${summary.copied} events${resumed}, ${summary.events} in all up to position ${summary.lastPosition} ` +
          `(${how}); source and target agree: sha256 ${summary.sha256}\n`,
      );
      return 0;
    } catch (error) {
      progress.clear();
      if (error instanceof DomainError) return fail(io, error.message);
      throw error;
    }
  } finally {
    for (const store of stores) await store.close();
  }
}

/** A URL as it may be printed: without its password. */
function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}
