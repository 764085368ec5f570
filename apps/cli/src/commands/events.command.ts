import { createReadStream, statSync } from 'node:fs';
import type { Command } from 'commander';
import { DomainError } from '#domain/shared/errors.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import { EventLogError } from '#application/event-log/log-chain.js';
import { exportLog } from '#application/event-log/log-exporter.js';
import { importLog } from '#application/event-log/log-importer.js';
import { verifyLog } from '#application/event-log/log-verifier.js';
import { ConfigError, loadProjectsIni } from '#infrastructure/config/index.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import type { CliIo } from '../cli-io.js';
import { atomicFileOutput, progressLine, streamOutput, type ExportOutput } from './events-output.js';

const CONFIG_HELP = "DLRN's projects.ini (its [service] event_store)";
/** Reads of the file: large enough that a million-event log is a few thousand reads. */
const CHUNK = 1 << 20;

/** `dlrn events export|verify|import`: the log as a chained NDJSON file (docs/event-store.md). */
export function registerEvents(program: Command, io: CliIo, exit: (code: number) => void): void {
  const events = program
    .command('events')
    .description('the event log as a verifiable file: export it, verify it, import it into an empty store');
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
