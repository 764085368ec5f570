import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { didYouMean } from '#infrastructure/config/shared/suggest.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import { selectPackages } from '#domain/package/selection.js';
import {
  configurationNotes,
  loadConfiguration,
  missingMockTemplate,
  type DlrnConfig,
} from '#infrastructure/config/index.js';
import { BuildPass } from '#application/build-pass/build-pass.js';
import { createBuildLoopDeps } from '#application/build-pass/build-loop.factory.js';
import { recheckPackages, statusLines } from '#application/build-pass/package-admin.js';
import type { PassOptions } from '#application/build-pass/build-loop.types.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { withAppendLog } from '#infrastructure/event-store/append-log.js';
import { traceCommandsTo } from '#infrastructure/runtime/command-trace.js';
import { collect, progressLine, type CliIo } from '../cli-io.js';
import { refreshReports } from './report-refresh.js';

export interface BuildPassFlags {
  configFile: string;
  configOverride: string[];
  infoRepo?: string;
  buildEnv: string[];
  local?: boolean;
  headOnly?: boolean;
  projectName: string[];
  packageName: string[];
  dev?: boolean;
  logCommands?: boolean;
  usePublic?: boolean;
  order?: boolean;
  sequential?: boolean;
  status?: boolean;
  recheck?: boolean;
  forceRecheck?: boolean;
  run?: string;
  stop?: boolean;
  verboseBuild?: boolean;
  verboseMock?: boolean;
  noRepo?: boolean;
  repo?: boolean;
  debug?: boolean;
}

/** DLRN's own flags on the root command: `dlrn --config-file projects.ini [...]` runs one pass. */
export function addBuildPassOptions(program: Command): Command {
  return program
    .option('--config-file <file>', "DLRN's projects.ini", 'projects.ini')
    .option('--config-override <section.option=value>', 'override a projects.ini option (repeatable)', collect, [])
    .option('--info-repo <dir>', 'local rdoinfo/distroinfo checkout holding the package metadata')
    .option('--build-env <VAR=value>', 'extra environment for the build and review scripts (repeatable)', collect, [])
    .option('--local', 'use the local clones as they are (no fetch or reset)')
    .option('--head-only', 'build only the newest commit of each package')
    .option('--project-name <name>', 'only packages of this project (repeatable)', collect, [])
    .option('--package-name <name>', 'only this package (repeatable)', collect, [])
    .option('--dev', 'dev mode: temporary history, always rebuild, keep local dist-git changes')
    .option('--log-commands', 'log every program run (git, rpmbuild, mock, createrepo_c…) on stderr')
    .option('--use-public', "add <baseurl>/current/delorean.repo to mock's configuration (as --dev does)")
    .option('--order', 'build in dependency order (BuildRequires), implies --sequential')
    .option('--sequential', 'ignore workers: one build at a time')
    .option('--status', "print each package's last build status and exit")
    .option('--recheck', 'make the last FAILED build of the package(s) build again next run')
    .option('--force-recheck', 'with --recheck: also a SUCCESS (needs allow_force_rechecks=true)')
    .option('--run <command>', 'run COMMAND per package instead of building (implies --head-only)')
    .option('--stop', 'stop at the first failed or retried build')
    .option('--verbose-build', 'stream the build output')
    .option('--verbose-mock', 'deprecated alias of --verbose-build')
    .option('--no-repo', 'do not create repositories (no links, no createrepo, no .repo)')
    .option('--debug', 'log level debug: --log-commands, and every event appended to the log, on stderr');
}

function parseBuildEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(pair.slice(0, eq))) {
      throw new Error(`--build-env ${JSON.stringify(pair)}: expected VAR=value`);
    }
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** Runs one DLRN pass (or `--status` / `--recheck`) and returns DLRN's exit code. */
export async function runBuildPass(flags: BuildPassFlags, io: CliIo): Promise<number> {
  const { config, packages, packageSource } = await loadConfiguration({
    configFile: flags.configFile,
    ...(flags.infoRepo === undefined ? {} : { infoRepo: flags.infoRepo }),
    overrides: flags.configOverride,
  });
  const options: PassOptions = {
    packageNames: flags.packageName,
    projectNames: flags.projectName,
    headOnly: Boolean(flags.headOnly) || flags.run !== undefined,
    dev: Boolean(flags.dev),
    local: Boolean(flags.local),
    run: flags.run ?? null,
    stop: Boolean(flags.stop),
    noRepo: flags.repo === false,
    sequential: Boolean(flags.sequential) || Boolean(flags.order),
    order: Boolean(flags.order),
    buildEnv: parseBuildEnv(flags.buildEnv),
    verboseBuild: Boolean(flags.verboseBuild || flags.verboseMock),
  };
  if (flags.recheck && options.packageNames.length === 0 && options.projectNames.length === 0) {
    io.err('dlrn: error: --recheck needs --package-name or --project-name\n');
    return 1;
  }
  const publicFlag = flags.usePublic ? '--use-public' : flags.dev ? '--dev' : null;
  const publicRefusal =
    publicFlag !== null && !flags.status && !flags.recheck ? usePublicRefusal(config, Boolean(flags.usePublic)) : null;
  if (publicRefusal !== null) {
    io.err(`dlrn: error: ${config.configFileShown}: ${publicFlag}: ${publicRefusal}\n`);
    return 1;
  }
  if (options.dev && config.default.buildDriverName === 'koji' && config.kojibuildDriver.useRhpkg) {
    // DLRN lets it run: its dev build's "dev" dist-git hash and local changes reach the real
    // dist-git and Koji, while its history is thrown away.
    io.err(
      `dlrn: error: ${config.configFileShown}: --dev: use_rhpkg=true: rhpkg commit -p would push the dev run's ` +
        'dist-git to the real one and build it in Koji; dev mode keeps its builds on this machine\n',
    );
    return 1;
  }
  const logger = io.logger('dlrn', flags.debug ? 'debug' : undefined);
  for (const note of configurationNotes(config)) logger.warn(`${config.configFileShown}: ${note}`);
  const missingTemplate = flags.status || flags.recheck ? null : missingMockTemplate(config);
  if (missingTemplate !== null) {
    io.err(`dlrn: error: ${config.configFileShown}: ${missingTemplate}\n`);
    return 1;
  }
  // Dev runs never touch the real history: a throw-away store, as DLRN's temporary database.
  const devDir = options.dev ? mkdtempSync(join(tmpdir(), 'dlrn-dev-')) : null;
  const opened: EventStore = devDir
    ? new SqliteEventStore(join(devDir, 'events.sqlite'))
    : await openEventStore(config.service.eventStoreTarget);
  // --log-commands: every program run, in the log; --debug: that, and every append to the log.
  if (flags.logCommands || flags.debug) traceCommandsTo((line) => logger.info({ kind: 'command' }, line));
  const store = flags.debug ? withAppendLog(opened, (line) => logger.debug({ kind: 'append' }, line)) : opened;
  const deps = createBuildLoopDeps({
    config,
    packages,
    packageSource,
    store,
    log: (line) => io.out(progressLine(io, line)),
    ...(flags.infoRepo === undefined ? {} : { infoRepo: flags.infoRepo }),
    // As DLRN's build_rpm_wrapper, --dev adds the public repo too; only mock has a configuration for it.
    usePublic: Boolean(flags.usePublic || flags.dev) && config.default.buildDriverName === 'mock',
  });
  try {
    const pass = new BuildPass(deps);
    if (flags.status || flags.recheck) {
      const history = await pass.history();
      // As DLRN, the package source answers first (gitrepo and local have no list before it).
      await deps.packageSource?.list({ dev: options.dev, local: options.local });
      const selected = selectPackages(deps.packages, options);
      if (flags.status) {
        for (const line of statusLines(history, selected)) io.out(`${line}\n`);
        return 0;
      }
      const { ok, messages } = await recheckPackages({
        commands: deps.commands,
        history,
        packages: selected,
        force: Boolean(flags.forceRecheck),
        allowForceRechecks: config.default.allowForceRechecks,
        context: { correlationId: deps.ids.next(), causationId: null, actor: 'cli', trigger: 'cli' },
      });
      for (const message of messages) io.out(`${message}\n`);
      await refreshReports(flags, logger);
      return ok ? 0 : 1;
    }
    const started = Date.now();
    const report = await pass.run(options);
    if (report.builds.length === 0)
      io.out(progressLine(io, 'nothing to build: no new commit in the selected packages'));
    else
      io.out(
        progressLine(
          io,
          `pass done: ${report.builds.length} build(s) in ${((Date.now() - started) / 1000).toFixed(1)} s, exit code ${report.exitCode}`,
        ),
      );
    if (devDir === null) await refreshReports(flags, logger);
    return report.exitCode;
  } finally {
    traceCommandsTo(null);
    await deps.close?.();
    await store.close();
    if (devDir) rmSync(devDir, { recursive: true, force: true });
  }
}

/**
 * Why `--use-public` (`explicit`) or `--dev` cannot add the public repo, or null: only mock
 * builds in a configuration the repo can join (rpmbuild uses the host's repositories, koji and
 * copr their farm's; `--dev` does its other work there), and the repo is
 * `<baseurl>/current/delorean.repo` (without baseurl DLRN's build fails on it: refused at once).
 */
function usePublicRefusal(config: DlrnConfig, explicit: boolean): string | null {
  const driver = config.default.buildDriverName;
  if (driver !== 'mock') {
    if (!explicit) return null;
    return `the public current repository goes into mock's configuration, and build_driver=${driver} has none (use the mock driver)`;
  }
  if (!config.default.baseurl) return 'baseurl is not set: the public repository is <baseurl>/current/delorean.repo';
  return null;
}

export function registerBuildPass(program: Command, io: CliIo, exit: (code: number) => void): void {
  // Words after `dlrn` that name no subcommand reach the pass: `dlrn help <command>` shows that
  // command's help, anything else is a mistyped subcommand (`dlrn serv`), said as such.
  addBuildPassOptions(program)
    .argument('[words...]')
    .usage('[options] [command]')
    .action(async (words: string[], flags: BuildPassFlags) => {
      if (words.length === 0) return exit(await runBuildPass(flags, io));
      const [first, ...rest] = words as [string, ...string[]];
      if (first === 'help') return exit(helpOf(program, rest, io));
      const names = program.commands.map((c) => c.name());
      io.err(`dlrn: error: unknown command '${first}'${didYouMean(first, [...names, 'help'])}\n`);
      io.err(`Commands: ${names.join(', ')}; \`dlrn help <command>\` shows one.\n`);
      exit(1);
    });
}

/** `dlrn help [command [subcommand]]`: the help of what is named, or 1 when it names nothing. */
function helpOf(program: Command, path: readonly string[], io: CliIo): number {
  let command = program;
  for (const name of path) {
    const next = command.commands.find((c) => c.name() === name || c.aliases().includes(name));
    if (next === undefined) {
      const names = command.commands.map((c) => c.name());
      io.err(`dlrn: error: unknown command '${name}'${didYouMean(name, names)}\n`);
      return 1;
    }
    command = next;
  }
  io.out(command.helpInformation());
  return 0;
}
