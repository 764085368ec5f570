import { Module, type DynamicModule } from '@nestjs/common';
import { START_BISECTION_PROVIDERS } from '#application/bisection/start-bisection.command.js';
import { BISECT_QUERY_HANDLERS } from '#application/queries/bisect/index.js';
import { CommitLog } from '#domain/bisection/commit-log.port.js';
import { GitRepositories } from '#domain/package/git.ports.js';
import { GitCliRepositories } from '#infrastructure/git/git-cli.repositories.js';
import { GitCommitLog } from '#infrastructure/git/git-commit-log.js';
import { PACKAGES_LOADER, type PackagesLoader } from '#infrastructure/nest/tokens.js';
import { BisectHttpController } from './bisect.http.controller.js';

/**
 * `GET /api/bisect` (the history of a range) and `POST /api/bisect` (StartBisectionCommand).
 * Needs the global DLRN_CONFIG, EventStore, DeciderCommandHandler, IdGenerator, ReadModelStore,
 * ViewVersion and the CqrsModule; given the package list (null: every package is unknown to POST).
 */
@Module({})
export class BisectModule {
  static forRoot(loadPackages: PackagesLoader): DynamicModule {
    return {
      module: BisectModule,
      controllers: [BisectHttpController],
      providers: [
        { provide: PACKAGES_LOADER, useValue: loadPackages },
        { provide: GitRepositories, useFactory: () => new GitCliRepositories() },
        { provide: CommitLog, useFactory: () => new GitCommitLog() },
        ...START_BISECTION_PROVIDERS,
        ...BISECT_QUERY_HANDLERS,
      ],
    };
  }
}
