import { Inject, type Provider } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore } from '#domain/shared/event-store.port.js';
import { IdGenerator } from '#domain/shared/ports.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { GitCliRepositories } from '#infrastructure/git/git-cli.repositories.js';
import { DLRN_CONFIG, PACKAGES_LOADER, type PackagesLoader } from '#infrastructure/nest/tokens.js';
import { StartBisection } from './start-bisection.js';
import type { BisectionTrigger } from '#domain/bisection/bisection.events.js';
import type { StartBisectionRequest, StartBisectionResult } from './start-bisection.types.js';

export {
  BisectionRefusedError,
  type BisectionOutcome,
  type BisectionRefusalCode,
  type StartBisectionRequest,
  type StartBisectionResult,
} from './start-bisection.types.js';

/**
 * `POST /api/bisect`, `dlrn bisect` and the build pass (trigger auto): start bisecting a
 * package between a good and a bad upstream commit. Idempotent: one stream per package and
 * good/bad pair. When good is not on bad's first-parent line, the bisection is recorded as
 * started and at once inconclusive (`not_an_ancestor`). The steps are built by build passes
 * (`dlrn`, `dlrn builder`) or, for `dlrn bisect`, in process.
 */
export class StartBisectionCommand extends Command<StartBisectionResult> {
  readonly package: string;
  readonly good: string;
  readonly bad: string;
  readonly trigger: BisectionTrigger;
  readonly actor: string | null;

  constructor(request: StartBisectionRequest) {
    super();
    this.package = request.package;
    this.good = request.good;
    this.bad = request.bad;
    this.trigger = request.trigger;
    this.actor = request.actor;
  }
}

@CommandHandler(StartBisectionCommand)
export class StartBisectionHandler implements ICommandHandler<StartBisectionCommand, StartBisectionResult> {
  constructor(@Inject(StartBisection) private readonly useCase: StartBisection) {}

  execute(command: StartBisectionCommand): Promise<StartBisectionResult> {
    return this.useCase.start({
      package: command.package,
      good: command.good,
      bad: command.bad,
      trigger: command.trigger,
      actor: command.actor,
    });
  }
}

/**
 * What a Nest module adds to its providers to run StartBisectionCommand: the handler and the
 * use case on the configuration's datadir, the store, git, and the package list (PACKAGES_LOADER;
 * when it is null every package is unknown).
 */
export const START_BISECTION_PROVIDERS: Provider[] = [
  StartBisectionHandler,
  {
    provide: StartBisection,
    inject: [DLRN_CONFIG, EventStore, DeciderCommandHandler, IdGenerator, PACKAGES_LOADER],
    useFactory: (
      config: DlrnConfig,
      store: EventStore,
      commands: DeciderCommandHandler,
      ids: IdGenerator,
      loadPackages: PackagesLoader,
    ) =>
      new StartBisection({
        datadir: config.default.datadir,
        packages: async () => (loadPackages ? await loadPackages() : []),
        store,
        commands,
        git: new GitCliRepositories({ timeoutMs: config.service.gitTimeout * 1000 }),
        ids,
      }),
  },
];
