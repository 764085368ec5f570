import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { buildDecider, BuildRuleError } from '#domain/build/build.decider.js';
import { DomainError } from '#domain/shared/errors.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { DlrnQueries } from '#application/queries/dlrn-queries.js';

/** Why a package cannot be rechecked; DLRN's messages, word for word. */
export class RecheckRefusedError extends DomainError {
  constructor(code: 'NOTHING_TO_RECHECK' | 'RECHECK_OF_SUCCESS' | 'RECHECK_REFUSED', packageName: string, why: string) {
    super(code, `Error while rechecking ${packageName}. ${why}`, { packageName });
  }
}

/** `POST /api/recheck_package`: the package's last processed build is built again next pass. */
export class RecheckPackageCommand extends Command<{ readonly position: number | null }> {
  constructor(
    readonly packageName: string,
    readonly user: string | null,
  ) {
    super();
  }
}

@CommandHandler(RecheckPackageCommand)
export class RecheckPackageHandler implements ICommandHandler<RecheckPackageCommand, { position: number | null }> {
  constructor(
    @Inject(DlrnQueries) private readonly queries: DlrnQueries,
    @Inject(DeciderCommandHandler) private readonly commands: DeciderCommandHandler,
  ) {}

  /** Returns the position of what was recorded; null when nothing was (a recheck already pending). */
  async execute({ packageName, user }: RecheckPackageCommand): Promise<{ position: number | null }> {
    const last = await this.queries.lastProcessedCommit(packageName);
    if (last === null) {
      throw new RecheckRefusedError(
        'NOTHING_TO_RECHECK',
        packageName,
        'There are no existing commits or the commit to be rechecked is already marked as RETRY.',
      );
    }
    if (last.status === 'SUCCESS') {
      throw new RecheckRefusedError(
        'RECHECK_OF_SUCCESS',
        packageName,
        "It's not possible to recheck a successful commit",
      );
    }
    try {
      const { append } = await this.commands.handle(
        last.streamId,
        buildDecider,
        { type: 'RecheckBuild', force: false, allowForceRechecks: false },
        { correlationId: last.buildId, causationId: null, actor: user ?? 'anonymous', trigger: 'api' },
      );
      return { position: append?.position ?? null };
    } catch (error) {
      if (!(error instanceof BuildRuleError)) throw error;
      throw new RecheckRefusedError('RECHECK_REFUSED', packageName, error.message);
    }
  }
}
