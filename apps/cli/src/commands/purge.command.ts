import type { Command } from 'commander';
import { join } from 'node:path';
import { planAggregatePurge, removeAggregateDirs } from '#application/aggregate/aggregate-retention.js';
import { planPurge, purgeBuilds, sweepLeftoverDirectories } from '#application/purge/purge-builds.js';
import { planChangePurge, purgeChangeBuilds } from '#application/change-builds/change-purge.js';
import { loadProjectsIni } from '#infrastructure/config/index.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import type { CliIo } from '../cli-io.js';
import { readLine } from '../stdin.js';

interface PurgeFlags {
  configFile: string;
  olderThan: string;
  y?: boolean;
  dryRun?: boolean;
  excludeDirs?: string;
}

/** `dlrn purge` (DLRN's `dlrn-purge`): removes old repository directories; history is kept. */
export function registerPurge(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command('purge')
    .description('remove repository directories of builds older than N days (the history stays)')
    .requiredOption('--config-file <file>', "DLRN's projects.ini")
    .requiredOption('--older-than <days>', 'purge builds older than this many days')
    .option('-y', 'do not ask for confirmation')
    .option('--dry-run', 'only say what would be purged')
    .option(
      '--exclude-dirs <dirs>',
      'comma-separated directories (relative to datadir) whose RPMs protect their builds',
    )
    .action(async (flags: PurgeFlags) => exit(await runPurge(flags, io)));
}

async function runPurge(flags: PurgeFlags, io: CliIo): Promise<number> {
  const days = Number(flags.olderThan);
  if (!Number.isFinite(days) || days < 0) {
    io.err(`dlrn purge: --older-than ${JSON.stringify(flags.olderThan)}: expected a number of days ≥ 0\n`);
    return 1;
  }
  const config = loadProjectsIni(flags.configFile);
  const datadir = config.default.datadir;
  const store = await openEventStore(config.service.eventStoreTarget);
  try {
    // An earlier purge that stopped between its record and the removal is finished first: the
    // log already holds that decision, so it is not asked again.
    if (!flags.dryRun) {
      for (const dir of await sweepLeftoverDirectories(store, datadir)) {
        io.out(`removed ${dir}: an earlier purge recorded it removed but stopped before removing it\n`);
      }
    }
    const cutoff = Math.floor(Date.now() / 1000) - days * 86_400;
    const steps = await planPurge(store, {
      datadir,
      cutoff,
      excludeDirs: (flags.excludeDirs ?? '').split(',').filter(Boolean),
    });
    // Components: old aggregate directories of current, consistent and promotion names (DLRN's
    // purge_promoted_hashes), never the one a name points at.
    const reposDir = join(datadir, 'repos');
    const aggregates = config.default.useComponents
      ? await planAggregatePurge(store, reposDir, config.default.reponame ?? 'delorean', cutoff)
      : [];
    // Change builds (issue 18) on their own schedule: `[changes] keep_days`, whatever --older-than says.
    const changeSteps = await planChangePurge(store, Math.floor(Date.now() / 1000) - config.changes.keepDays * 86_400);
    for (const step of changeSteps)
      io.out(`${flags.dryRun ? 'would remove' : 'removing'} change build ${step.repoPath} (${step.finishedAt})\n`);
    for (const dir of aggregates) io.out(`${flags.dryRun ? 'would remove' : 'removing'} aggregate ${dir}\n`);
    for (const { row, removeDirectory } of steps) {
      io.out(
        `${flags.dryRun ? 'would purge' : 'purging'} ${row.commit.package} ${row.commit.commitHash} (${row.status}, ${new Date(row.dtBuild * 1000).toISOString()})${removeDirectory ? '' : ' — directory kept, shared with a successful build'}\n`,
      );
    }
    const nothing = steps.length === 0 && aggregates.length === 0 && changeSteps.length === 0;
    if (nothing) io.out('nothing to purge\n');
    if (flags.dryRun || nothing) return 0;
    const what = `${steps.length} build(s)${aggregates.length > 0 ? ` and ${aggregates.length} aggregate(s)` : ''}${changeSteps.length > 0 ? ` and ${changeSteps.length} change build(s)` : ''}`;
    if (!flags.y && (await readLine(`Purge ${what}? [y/N] `))?.trim().toLowerCase() !== 'y') {
      io.out('nothing purged\n');
      return 0;
    }
    const ids = new UuidV7IdGenerator();
    const commands = new DeciderCommandHandler(store, ids, new SystemClock());
    const context = {
      correlationId: ids.next(),
      causationId: null,
      actor: `cli:${process.env['USER'] ?? 'unknown'}`,
      trigger: 'cli',
    };
    await purgeBuilds(commands, datadir, steps, context);
    await purgeChangeBuilds(commands, datadir, changeSteps, context);
    await removeAggregateDirs(reposDir, aggregates);
    io.out(`purged ${what}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
