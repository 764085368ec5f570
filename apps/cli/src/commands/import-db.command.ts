import type { Command } from 'commander';
import { ConfigError, loadProjectsIni } from '#infrastructure/config/index.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import {
  DlrnDatabaseError,
  parseDlrnDatabaseUrl,
  type DlrnDatabaseLocation,
} from '#infrastructure/dlrn-database/dlrn-database-url.js';
import {
  ImportConflictError,
  importDlrnDatabase,
  type ImportSummary,
} from '#application/dlrn-database-import/dlrn-database.importer.js';
import { DLRN_TABLES } from '#infrastructure/dlrn-database/dlrn-rows.js';
import type { CliIo } from '../cli-io.js';

interface ImportDbFlags {
  readonly from?: string;
  readonly configFile: string;
}

/** `dlrn import-db`: an existing DLRN database, appended to the event store as events. */
export function registerImportDb(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command('import-db')
    .description('import a DLRN database (commits, votes, promotions, users) into the event store; safe to re-run')
    .option(
      '--from <url>',
      "DLRN's database_connection: sqlite:////abs/path, sqlite:///relative/path or mysql+pymysql://user:password@host[:port]/database " +
        '(default: database_connection of --config-file, which keeps a password out of the process list)',
    )
    .option('--config-file <file>', "DLRN's projects.ini (the event store to fill)", 'projects.ini')
    .action(async (flags: ImportDbFlags) => exit(await runImportDb(flags, io)));
}

async function runImportDb(flags: ImportDbFlags, io: CliIo): Promise<number> {
  const fail = (message: string): number => (io.err(`dlrn import-db: error: ${message}\n`), 1);
  let from: DlrnDatabaseLocation;
  let config;
  try {
    config = loadProjectsIni(flags.configFile);
    from = parseDlrnDatabaseUrl(flags.from ?? config.default.databaseConnection);
  } catch (error) {
    if (error instanceof DlrnDatabaseError || error instanceof ConfigError) return fail(error.message);
    throw error;
  }
  const store = await openEventStore(config.service.eventStoreTarget);
  try {
    const summary = await importDlrnDatabase({
      from,
      store,
      buildDriver: config.default.buildDriverName,
      maxRetries: config.default.maxretries,
      log: (line) => io.err(`dlrn import-db: ${line}\n`),
    });
    for (const row of summary.skipped) io.err(`dlrn import-db: warning: skipped ${row.message}\n`);
    io.out(render(from.label, summary));
    return 0;
  } catch (error) {
    if (error instanceof DlrnDatabaseError) return fail(error.message);
    if (error instanceof ImportConflictError) return fail(`${config.service.eventStoreTarget.url}: ${error.message}`);
    throw error;
  } finally {
    await store.close();
  }
}

function render(label: string, summary: ImportSummary): string {
  const lines = [`imported ${label} (source id ${summary.sourceId})`, 'rows read:'];
  for (const table of DLRN_TABLES) lines.push(`  ${table.padEnd(12)} ${String(summary.rows[table]).padStart(8)}`);
  if (summary.skipped.length > 0) lines.push(`rows skipped: ${summary.skipped.length} (see the warnings above)`);
  lines.push(`events appended: ${summary.appended}`, `events already present: ${summary.alreadyPresent}`);
  return `${lines.join('\n')}\n`;
}
