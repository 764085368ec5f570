import { Inject, Injectable } from '@nestjs/common';
import { buildDecider, BuildRuleError } from '#domain/build/build.decider.js';
import { buildsProjection, ReadModelStore, type BuildDoc } from '#domain/projections/index.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { ViewVersion } from '../views/view-version.js';

/** `POST /api/recheck_package`: the package's newest non-RETRY build is built again next pass. */
@Injectable()
export class RecheckService {
  constructor(
    @Inject(ReadModelStore) private readonly store: ReadModelStore,
    @Inject(DeciderCommandHandler) private readonly commands: DeciderCommandHandler,
    @Inject(ViewVersion) private readonly views: ViewVersion,
  ) {}

  async recheck(packageName: string, user: string | null): Promise<void> {
    const last = await this.lastProcessed(packageName);
    const prefix = `Error while rechecking ${packageName}.`;
    if (last === null) {
      throw new DlrnHttpError(
        400,
        `${prefix} There are no existing commits or the commit to be rechecked is already marked as RETRY.`,
      );
    }
    if (last.status === 'SUCCESS')
      throw new DlrnHttpError(409, `${prefix} It's not possible to recheck a successful commit`);
    try {
      const { append } = await this.commands.handle(
        last.streamId,
        buildDecider,
        { type: 'RecheckBuild', force: false, allowForceRechecks: false },
        { correlationId: last.buildId, causationId: null, actor: user ?? 'anonymous', trigger: 'api' },
      );
      if (append) await this.views.waitFor(append.position);
    } catch (error) {
      if (!(error instanceof BuildRuleError)) throw error;
      throw new DlrnHttpError(400, `${prefix} ${error.message}`);
    }
  }

  /** DLRN's `getLastProcessedCommit`: the newest rpm build that is not RETRY (and still counts). */
  private async lastProcessed(packageName: string): Promise<BuildDoc | null> {
    const newest = async (status: 'SUCCESS' | 'FAILED') =>
      (
        await this.store.find<BuildDoc>(buildsProjection, {
          where: { package: packageName, status, rechecked: 0, type: 'rpm' },
          orderBy: [{ column: 'completed_position', direction: 'desc' }],
          limit: 1,
        })
      )[0]?.doc ?? null;
    const [success, failure] = await Promise.all([newest('SUCCESS'), newest('FAILED')]);
    if (success === null || failure === null) return success ?? failure;
    return (success.completedPosition ?? 0) > (failure.completedPosition ?? 0) ? success : failure;
  }
}
