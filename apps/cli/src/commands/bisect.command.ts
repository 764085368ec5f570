import type { Command } from 'commander';
import { bisectionDecider, maxSteps } from '#domain/bisection/bisection.decider.js';
import type { BisectionEvent } from '#domain/bisection/bisection.events.js';
import type { BisectionState } from '#domain/bisection/bisection.state.js';
import { fold } from '#domain/shared/decider.js';
import type { EventPayload } from '#domain/shared/event.js';
import { loadConfiguration } from '#infrastructure/config/index.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { BuildPass } from '#application/build-pass/build-pass.js';
import { createBuildLoopDeps } from '#application/build-pass/build-loop.factory.js';
import { DEFAULT_PASS_OPTIONS } from '#application/build-pass/build-loop.types.js';
import { discoverPackage } from '#application/build-pass/package-discovery.js';
import { BisectionRefusedError } from '#application/bisection/start-bisection.types.js';
import { StartBisection } from '#application/bisection/start-bisection.js';
import { collect, type CliIo } from '../cli-io.js';

interface BisectFlags {
  configFile: string;
  configOverride: string[];
  infoRepo?: string;
}

/**
 * `dlrn bisect <package> <good> <bad>`, DLRN's `bisect.sh`: refreshes the package's clones, starts
 * a bisection (trigger `cli`; the same one a pass or the API would start for this pair), builds
 * its steps here, prints each, and ends with the culprit's full hash on a line of its own (exit
 * 0), or why there is none (exit 1).
 */
export function registerBisect(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command('bisect')
    .description('find the upstream commit that broke a package between a good and a bad commit')
    .argument('<package>', 'the package name')
    .argument('<good>', 'a commit (hash or unique prefix) that built')
    .argument('<bad>', 'a later commit that fails to build')
    .option('--config-file <file>', "DLRN's projects.ini", 'projects.ini')
    .option('--config-override <section.option=value>', 'override a projects.ini option (repeatable)', collect, [])
    .option('--info-repo <dir>', 'local rdoinfo/distroinfo checkout holding the package metadata')
    .action(async (pkg: string, good: string, bad: string, flags: BisectFlags) =>
      exit(await runBisect(pkg, good, bad, flags, io)),
    );
}

async function runBisect(
  packageName: string,
  good: string,
  bad: string,
  flags: BisectFlags,
  io: CliIo,
): Promise<number> {
  const loaded = await loadConfiguration({
    configFile: flags.configFile,
    ...(flags.infoRepo === undefined ? {} : { infoRepo: flags.infoRepo }),
    overrides: flags.configOverride,
  });
  const { config, packageSource } = loaded;
  // gitrepo and local find their packages when asked, as a pass does.
  const packages = packageSource
    ? [...(await packageSource.list({ dev: false, local: false })).packages]
    : loaded.packages;
  const pkg = packages.find((p) => p.name === packageName);
  if (pkg === undefined) {
    throw new BisectionRefusedError('UNKNOWN_PACKAGE', `unknown package '${packageName.slice(0, 200)}'`);
  }
  const store = await openEventStore(config.service.eventStoreTarget);
  const deps = createBuildLoopDeps({ config, packages, packageSource, store, log: (line) => io.out(`${line}\n`) });
  try {
    const pass = new BuildPass(deps, (line) =>
      io.out(`step ${line.step}/${line.of}: ${line.commitHash} ${line.status} (${line.verdict})\n`),
    );
    // As bisect.sh's `dlrn --run /bin/true`: the clones exist and are up to date.
    const refreshed = await discoverPackage(deps, await pass.history(), pkg, {
      ...DEFAULT_PASS_OPTIONS,
      headOnly: true,
    });
    if (refreshed.kind === 'skipped') {
      io.err(`dlrn: error: ${packageName}: ${refreshed.reason}\n`);
      return 1;
    }
    const starter = new StartBisection({
      datadir: config.default.datadir,
      packages: () => Promise.resolve(packages),
      store,
      commands: deps.commands,
      git: deps.git,
      ids: deps.ids,
      history: () => pass.history(),
    });
    const started = await starter.start({
      package: packageName,
      good,
      bad,
      trigger: 'cli',
      actor: `cli:${process.env['USER'] ?? 'unknown'}`,
    });
    io.out(
      `bisecting ${packageName}: ${started.candidates.length} commit(s) after ${started.good} up to ${started.bad}${started.started ? '' : ' (started before: resuming)'}\n`,
    );
    const before = await stateOf(store, started.bisectionId);
    if (before.phase !== 'none') {
      for (const result of before.results) {
        io.out(
          `step ${result.step}/${maxSteps(before.candidates.length)}: ${result.commitHash} ${result.status} (${result.verdict})\n`,
        );
      }
    }
    if (before.phase === 'running') await pass.runSteps(packageName, DEFAULT_PASS_OPTIONS);
    const after = await stateOf(store, started.bisectionId);
    if (after.phase === 'culprit' && after.culprit !== null) {
      io.out(`${after.culprit}\n`);
      return 0;
    }
    if (after.phase === 'inconclusive') {
      const events = await store.readStream(started.bisectionId);
      const end = events.at(-1)?.data as { detail?: string } | undefined;
      io.err(`dlrn: error: no culprit: ${after.reason}${end?.detail ? `: ${end.detail}` : ''}\n`);
      return 1;
    }
    const pending = after.phase === 'running' ? after.pending : null;
    io.err(
      `dlrn: error: the bisection is not finished${pending ? `: step ${pending.step} (${pending.commitHash}) is still to build (a transient failure, or built elsewhere); run dlrn bisect again` : ''}\n`,
    );
    return 1;
  } finally {
    await deps.close?.();
    await store.close();
  }
}

async function stateOf(
  store: Awaited<ReturnType<typeof openEventStore>>,
  bisectionId: string,
): Promise<BisectionState> {
  const events = await store.readStream(bisectionId);
  return fold(bisectionDecider, events as unknown as EventPayload<BisectionEvent>[]);
}
