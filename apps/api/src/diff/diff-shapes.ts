import type { RepoDiff, ResolvedSide, SnapshotPackage } from '#application/queries/diff/index.js';
import { repoHash } from '#domain/repo/repo-path.js';
import { commitUrl, compareUrl, type RepoDiffView } from '#reports/repo-diff.renderer.js';

/** The JSON of `GET /api/diff` (schema in DIFF_SCHEMA). */

const joinUrl = (base: string, path: string): string => `${base.replace(/\/+$/, '')}/${path}`;

function sideOf(side: ResolvedSide, baseurl: string) {
  const hash = repoHash(side.build);
  return {
    ref: side.ref,
    as_of: side.asOf,
    repo_hash: hash,
    repo_dir: side.build.repoDir,
    repo_url: baseurl ? joinUrl(baseurl, side.build.repoDir) : null,
    build_id: side.build.buildId,
    source: side.source,
    packages: side.packages.length,
    links: {
      repo: `/api/repos/${encodeURIComponent(hash)}`,
      build: `/api/builds/${encodeURIComponent(side.build.buildId)}`,
    },
  };
}

function packageOf(p: SnapshotPackage) {
  return { name: p.name, nvr: p.nvr, commit_hash: p.commitHash, distro_hash: p.distroHash, status: p.status };
}

export function diffAnswer(diff: RepoDiff, baseurl: string) {
  return {
    from: sideOf(diff.from, baseurl),
    to: sideOf(diff.to, baseurl),
    added: diff.added.map(packageOf),
    removed: diff.removed.map(packageOf),
    changed: diff.changed.map((c) => {
      const upstream = diff.upstreams[c.name] ?? null;
      return {
        name: c.name,
        from: packageOf(c.from),
        to: packageOf(c.to),
        upstream_changed: c.upstreamChanged,
        distgit_changed: c.distgitChanged,
        upstream_url: upstream,
        commit_range: c.upstreamChanged
          ? {
              from_commit: c.from.commitHash,
              to_commit: c.to.commitHash,
              from_url: commitUrl(upstream, c.from.commitHash),
              to_url: commitUrl(upstream, c.to.commitHash),
              compare_url: compareUrl(upstream, c.from.commitHash, c.to.commitHash),
            }
          : null,
      };
    }),
    unchanged: diff.unchanged,
  };
}

/** The page's view of a diff (libs/reports knows no use case). */
export function diffView(diff: RepoDiff): RepoDiffView {
  const side = (s: ResolvedSide) => ({
    ref: s.ref,
    asOf: s.asOf,
    repoDir: s.build.repoDir,
    commitHash: s.build.commitHash,
    distroHash: s.build.distroHash,
    buildId: s.build.buildId,
    packages: s.packages.length,
  });
  return {
    from: side(diff.from),
    to: side(diff.to),
    added: diff.added,
    removed: diff.removed,
    changed: diff.changed.map((c) => ({ ...c, upstreamUrl: diff.upstreams[c.name] ?? null })),
    unchanged: diff.unchanged,
  };
}

const PACKAGE = {
  type: 'object',
  properties: {
    name: { type: 'string', example: 'python-nova' },
    nvr: { type: 'string', nullable: true, example: 'python-nova-29.0.1-0.20261125.1c67b1a.el9' },
    commit_hash: { type: 'string' },
    distro_hash: { type: 'string' },
    status: { type: 'string', example: 'SUCCESS' },
  },
};

const SIDE = {
  type: 'object',
  properties: {
    ref: { type: 'string', example: 'consistent' },
    as_of: { type: 'string', nullable: true },
    repo_hash: { type: 'string', example: '1c67b1ab8c6fe273d4e175a14f0df5d3cbbd0edf_8170b868' },
    repo_dir: { type: 'string' },
    repo_url: { type: 'string', nullable: true },
    build_id: { type: 'string' },
    source: {
      type: 'string',
      enum: ['log', 'versions.csv'],
      description: "Where the package list came from: the build's RepoPublished event, or its versions.csv",
    },
    packages: { type: 'integer', description: 'Packages in the repository' },
    links: { type: 'object', properties: { repo: { type: 'string' }, build: { type: 'string' } } },
  },
};

export const DIFF_SCHEMA = {
  type: 'object',
  properties: {
    from: SIDE,
    to: SIDE,
    added: { type: 'array', items: PACKAGE, description: 'In `to`, not in `from`' },
    removed: { type: 'array', items: PACKAGE, description: 'In `from`, not in `to`' },
    changed: {
      type: 'array',
      description: 'In both, with another commit, distro hash, NVR or status',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          from: PACKAGE,
          to: PACKAGE,
          upstream_changed: { type: 'boolean' },
          distgit_changed: { type: 'boolean' },
          upstream_url: { type: 'string', nullable: true },
          commit_range: {
            type: 'object',
            nullable: true,
            description: 'The upstream commits moved over (null when only dist-git, NVR or status changed)',
            properties: {
              from_commit: { type: 'string' },
              to_commit: { type: 'string' },
              from_url: { type: 'string', nullable: true },
              to_url: {
                type: 'string',
                nullable: true,
                description: 'Commit pages where the forge is known (cgit, GitHub, opendev)',
              },
              compare_url: { type: 'string', nullable: true, description: 'GitHub and opendev only' },
            },
          },
        },
      },
    },
    unchanged: { type: 'integer' },
  },
};
