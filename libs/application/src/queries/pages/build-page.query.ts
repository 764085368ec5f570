import { join } from 'node:path';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { BuildDoc } from '#domain/projections/index.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { DLRN_CONFIG } from '#infrastructure/nest/tokens.js';
import type { BuildLog } from '#reports/build-page.renderer.js';
import { readBuildLog } from '../../reports/build-log.reader.js';
import { DashboardQueries } from '../dashboard.queries.js';

/** A build attempt and the end of its rpmbuild.log (null when it has none). */
export interface BuildPage {
  readonly build: BuildDoc;
  readonly log: BuildLog | null;
}

/** `build/<id>.html`: one build attempt with its log, null when the build is unknown. */
export class BuildPageQuery extends Query<BuildPage | null> {
  constructor(readonly buildId: string) {
    super();
  }
}

@QueryHandler(BuildPageQuery)
export class BuildPageHandler implements IQueryHandler<BuildPageQuery, BuildPage | null> {
  private readonly reposDir: string;

  constructor(
    @Inject(DashboardQueries) private readonly queries: DashboardQueries,
    @Inject(DLRN_CONFIG) config: DlrnConfig,
  ) {
    this.reposDir = join(config.default.datadir, 'repos');
  }

  async execute({ buildId }: BuildPageQuery): Promise<BuildPage | null> {
    const build = await this.queries.build(buildId);
    if (build === null) return null;
    const log = build.repoDir === null ? null : await readBuildLog(this.reposDir, build.repoDir);
    return { build, log };
  }
}
