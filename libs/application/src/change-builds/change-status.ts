import type { ChangeBuildRequested } from '#domain/change/change.events.js';
import { expandStatusUrl, type ChangeStatusConfig } from '#infrastructure/config/ini/changes.section.js';
import { GuardedPoster } from '#infrastructure/http-out/guarded.poster.js';

export type ChangeStatusState = 'pending' | 'success' | 'failure';

/** What the status links to and says. */
export interface ChangeStatusDetail {
  /** The repository (success) or the log (failure), under `baseurl`; null while pending. */
  readonly targetUrl: string | null;
  readonly description: string;
}

/**
 * The body each forge's commit-status API takes: GitHub and Gitea `POST …/statuses/{sha}`
 * (`state`, `target_url`, `description`, `context`), GitLab `POST …/statuses/{sha}` (`state`
 * with `failed`, `name`), Gerrit `POST …/revisions/{revision}/review` (a message, and a
 * `Verified` vote once the build ended).
 */
export function statusBody(
  request: Pick<ChangeBuildRequested['data'], 'forge' | 'package' | 'patchset'>,
  state: ChangeStatusState,
  detail: ChangeStatusDetail,
): Record<string, unknown> {
  const context = `dlrn/${request.package}`;
  const link = detail.targetUrl === null ? {} : { target_url: detail.targetUrl };
  switch (request.forge) {
    case 'github':
    case 'gitea':
      return { state, context, description: detail.description, ...link };
    case 'gitlab':
      return { state: state === 'failure' ? 'failed' : state, name: context, description: detail.description, ...link };
    case 'gerrit':
      return {
        message: `${context} patch set ${request.patchset}: ${state}: ${detail.description}${detail.targetUrl === null ? '' : ` ${detail.targetUrl}`}`,
        ...(state === 'pending' ? {} : { labels: { Verified: state === 'success' ? 1 : -1 } }),
      };
  }
}

/**
 * The commit-status callback (issue 18 item 4): marks a change pending when its build starts,
 * success or failure when it ends, at `[changes] status_url_template` with the token as a Bearer
 * credential, under the outgoing address rules. A status that cannot be sent is logged; it never
 * fails the build.
 */
export class ChangeStatusReporter {
  private readonly poster: GuardedPoster;

  constructor(
    private readonly config: ChangeStatusConfig,
    private readonly log: (line: string) => void,
    poster?: GuardedPoster,
  ) {
    this.poster = poster ?? new GuardedPoster(config.allowedHosts, '[changes] status_allowed_hosts');
  }

  async report(
    request: ChangeBuildRequested['data'],
    project: string,
    state: ChangeStatusState,
    detail: ChangeStatusDetail,
  ): Promise<void> {
    const url = new URL(
      expandStatusUrl(this.config.urlTemplate, {
        forge: request.forge,
        change: request.change,
        patchset: String(request.patchset),
        package: request.package,
        sha: request.headSha,
        project,
      }),
    );
    const where = `${url.origin}${url.pathname}`;
    try {
      const status = await this.poster.postJson(url, statusBody(request, state, detail), {
        'user-agent': 'dlrn-status',
        authorization: `Bearer ${this.config.token.reveal()}`,
      });
      if (status < 200 || status >= 300) this.log(`change status ${state} to ${where}: HTTP ${status}`);
    } catch (error) {
      this.log(`change status ${state} to ${where} not sent: ${(error as Error).message}`);
    }
  }
}
