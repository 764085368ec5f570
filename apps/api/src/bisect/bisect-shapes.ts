import type { BisectHistory, RangeCommit } from '#application/queries/bisect/index.js';
import { commitUrl } from '#reports/repo-diff.renderer.js';
import { BISECTION_SUMMARY_SCHEMA } from '../resources/openapi-schemas.js';
import { bisectionSummary } from '../resources/resource-shapes.js';

/** The JSON of `GET /api/bisect` (schema in BISECT_HISTORY_SCHEMA). */
export function bisectHistoryAnswer(history: BisectHistory) {
  const upstream = history.upstreamUrl;
  const commit = (c: RangeCommit) => ({
    commit_hash: c.hash,
    committed_at: c.committedAt,
    subject: c.description?.subject ?? null,
    author: c.description ? `${c.description.authorName} <${c.description.authorEmail}>` : null,
    url: commitUrl(upstream, c.hash),
    verdict: c.verdict,
    builds: c.builds.map((b) => ({
      build_id: b.buildId,
      status: b.status,
      purpose: b.purpose.kind,
      bisection_step: b.purpose.kind === 'bisection' ? b.purpose.step : null,
      distro_hash: b.distroHash,
      dt_build: b.dtBuild,
      rechecked: b.rechecked,
      links: { self: `/api/builds/${encodeURIComponent(b.buildId)}` },
    })),
  });
  const [good, ...between] = history.line;
  return {
    package: history.package,
    upstream_url: upstream,
    good: commit(good!),
    commits: between.map(commit),
    last_known_good: history.lastKnownGood,
    first_known_bad: history.firstKnownBad,
    unbuilt_between: history.unbuiltBetween,
    distgit: {
      from: history.distgit.from,
      to: history.distgit.to,
      commits: history.distgit.commits.map((c) => ({
        commit_hash: c.hash,
        committed_at: c.committedAt,
        subject: c.subject,
        author: `${c.authorName} <${c.authorEmail}>`,
      })),
    },
    bisection: history.bisection ? bisectionSummary(history.bisection) : null,
  };
}

const BUILD = {
  type: 'object',
  properties: {
    build_id: { type: 'string' },
    status: { type: 'string', nullable: true, enum: ['SUCCESS', 'FAILED', 'RETRY', null] },
    purpose: { type: 'string', enum: ['commit', 'bisection'] },
    bisection_step: { type: 'integer', nullable: true },
    distro_hash: { type: 'string' },
    dt_build: { type: 'integer', nullable: true },
    rechecked: { type: 'boolean' },
    links: { type: 'object', properties: { self: { type: 'string' } } },
  },
};

const COMMIT = {
  type: 'object',
  properties: {
    commit_hash: { type: 'string' },
    committed_at: { type: 'integer' },
    subject: { type: 'string', nullable: true },
    author: { type: 'string', nullable: true, example: 'Jane Doe <jane@example.org>' },
    url: { type: 'string', nullable: true, description: "The commit's page where the forge is known" },
    verdict: {
      type: 'string',
      enum: ['good', 'bad', 'pending', 'unbuilt'],
      description: 'From its newest attempt that counts: SUCCESS good, FAILED bad, RETRY or building pending',
    },
    builds: { type: 'array', items: BUILD, description: 'Every attempt, oldest first' },
  },
};

export const BISECT_HISTORY_SCHEMA = {
  type: 'object',
  properties: {
    package: { type: 'string' },
    upstream_url: { type: 'string', nullable: true },
    good: COMMIT,
    commits: { type: 'array', items: COMMIT, description: 'First-parent commits after good up to bad, oldest first' },
    last_known_good: { type: 'string', nullable: true },
    first_known_bad: { type: 'string', nullable: true },
    unbuilt_between: { type: 'integer', description: 'Commits between those two never built' },
    distgit: {
      type: 'object',
      properties: {
        from: { type: 'string', nullable: true, description: "The last known good build's dist-git commit" },
        to: { type: 'string', nullable: true, description: "The first known bad build's dist-git commit" },
        commits: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              commit_hash: { type: 'string' },
              committed_at: { type: 'integer' },
              subject: { type: 'string' },
              author: { type: 'string' },
            },
          },
        },
      },
    },
    bisection: BISECTION_SUMMARY_SCHEMA,
  },
};

export const BISECT_STARTED_SCHEMA = {
  type: 'object',
  properties: {
    bisection_id: { type: 'string', example: 'bisection-python-nova@1c67…_9f2e…' },
    started: { type: 'boolean', description: 'False when this package/good/bad was started before' },
    package: { type: 'string' },
    good: { type: 'string' },
    bad: { type: 'string' },
    candidates: { type: 'integer' },
    outcome: { type: 'string', enum: ['running', 'culprit', 'inconclusive'] },
    culprit: { type: 'string', nullable: true },
    reason: { type: 'string', nullable: true },
    links: {
      type: 'object',
      properties: {
        history: { type: 'string', description: 'GET /api/bisect for the same range' },
        package: { type: 'string' },
      },
    },
  },
};
