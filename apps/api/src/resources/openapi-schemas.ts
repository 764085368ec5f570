/** OpenAPI schemas of our own resources (shapes in resource-shapes.ts). */

const nullableString = (example: string) => ({ type: 'string', nullable: true, example });
const nullableInteger = (example: number) => ({ type: 'integer', nullable: true, example });

export const BUILD_SUMMARY_SCHEMA = {
  type: 'object',
  nullable: true,
  properties: {
    build_id: { type: 'string', example: '019ab8c2-5b1e-7c3d-9e4f-0a1b2c3d4e5f' },
    status: { type: 'string', enum: ['SUCCESS', 'FAILED', 'RETRY'] },
    commit_hash: { type: 'string', example: '1c67b1ab8c6fe273d4e175a14f0df5d3cbbd0edf' },
    distro_hash: { type: 'string', example: '8170b8686c38bafb6021d998e2fb268ab26ccf65' },
    extended_hash: nullableString('None'),
    component: nullableString('tripleo'),
    dt_build: nullableInteger(1700000000),
    nvr: nullableString('python-nova-29.0.1-0.20261125.1c67b1a.el9'),
    repo_hash: { type: 'string', example: '1c67b1ab8c6fe273d4e175a14f0df5d3cbbd0edf_8170b868' },
    repo_url: nullableString(
      'https://trunk.example.org/centos9/1c/67/1c67b1ab8c6fe273d4e175a14f0df5d3cbbd0edf_8170b868',
    ),
    log_url: nullableString(
      'https://trunk.example.org/centos9/1c/67/1c67b1ab8c6fe273d4e175a14f0df5d3cbbd0edf_8170b868/rpmbuild.log',
    ),
    links: { type: 'object', properties: { self: { type: 'string' } } },
  },
};

export const BISECTION_SUMMARY_SCHEMA = {
  type: 'object',
  nullable: true,
  description: "The package's latest bisection; null when none ran or the package succeeded since",
  properties: {
    bisection_id: { type: 'string', example: '019ab8c2-5b1e-7c3d-9e4f-0a1b2c3d4e5f' },
    state: { type: 'string', enum: ['running', 'culprit', 'inconclusive'] },
    good_commit_hash: { type: 'string', example: '1c67b1ab8c6fe273d4e175a14f0df5d3cbbd0edf' },
    bad_commit_hash: { type: 'string', example: '9f2e4c0d1b7a8e6f5d4c3b2a1908f7e6d5c4b3a2' },
    candidates: { type: 'integer', example: 12, description: 'First-parent commits after good up to bad' },
    steps: { type: 'integer', example: 4, description: 'Steps built so far' },
    started_at: { type: 'string', format: 'date-time' },
    culprit: {
      type: 'object',
      nullable: true,
      properties: {
        commit_hash: { type: 'string' },
        distro_hash: { type: 'string' },
        last_good_commit_hash: { type: 'string' },
        identified_at: { type: 'string', format: 'date-time' },
        links: { type: 'object', properties: { build: { type: 'string', nullable: true } } },
      },
    },
    reason: {
      type: 'string',
      nullable: true,
      enum: ['different_failure', 'vanished_commit', 'retries_exhausted', 'not_an_ancestor', 'no_candidates', null],
    },
    detail: { type: 'string', nullable: true },
  },
};

export const PACKAGE_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string', example: 'python-nova' },
    status: { type: 'string', enum: ['SUCCESS', 'FAILED', 'RETRY', 'NO_BUILD'] },
    component: nullableString('compute'),
    nvr: nullableString('python-nova-29.0.1-0.20261125.1c67b1a.el9'),
    last_build: BUILD_SUMMARY_SCHEMA,
    last_success: BUILD_SUMMARY_SCHEMA,
    first_failure_after_success: BUILD_SUMMARY_SCHEMA,
    failures_since_success: { type: 'integer', example: 2 },
    days_since_last_success: { ...nullableInteger(3), description: 'Whole days; null: never succeeded' },
    skipped: {
      type: 'object',
      nullable: true,
      properties: { reason: { type: 'string' }, at: { type: 'string', format: 'date-time' } },
    },
    bisection: BISECTION_SUMMARY_SCHEMA,
    links: {
      type: 'object',
      properties: { self: { type: 'string' }, builds: { type: 'string' }, badge: { type: 'string' } },
    },
  },
};

export const BUILD_SCHEMA = {
  type: 'object',
  properties: {
    id: { ...nullableInteger(4242), description: "DLRN's commit id: the position of the build's result" },
    build_id: { type: 'string', example: '019ab8c2-5b1e-7c3d-9e4f-0a1b2c3d4e5f' },
    package: { type: 'string', example: 'python-nova' },
    status: { type: 'string', nullable: true, enum: ['SUCCESS', 'FAILED', 'RETRY'] },
    commit_hash: { type: 'string' },
    distro_hash: { type: 'string' },
    extended_hash: { type: 'string', nullable: true },
    commit_branch: { type: 'string', example: 'master' },
    component: { type: 'string', nullable: true },
    dt_commit: { type: 'integer' },
    dt_distro: { type: 'integer' },
    dt_build: { type: 'integer', nullable: true },
    nvr: { type: 'string', nullable: true },
    artifacts: { type: 'array', items: { type: 'string' } },
    notes: { type: 'string', nullable: true, example: 'OK' },
    purged: { type: 'boolean' },
    rechecked: { type: 'boolean' },
    abandoned: { type: 'boolean' },
    builder_id: { type: 'string', example: 'builder-1' },
    attempt: { type: 'integer', example: 1 },
    purpose: {
      type: 'object',
      description:
        'Why it was built: `commit` (a build of a new commit, as DLRN makes them) or `bisection` (a step of a bisection: never moves current or consistent, never counts in DLRN answers)',
      required: ['kind'],
      properties: {
        kind: { type: 'string', enum: ['commit', 'bisection'] },
        bisection_id: {
          type: 'string',
          description: 'With kind bisection: its stream',
          example: 'bisection-python-nova@1a2b…_3c4d…',
        },
        step: { type: 'integer', description: 'With kind bisection: 1 for the first step', example: 2 },
      },
    },
    repo_hash: { type: 'string' },
    repo_url: { type: 'string', nullable: true },
    log_url: { type: 'string', nullable: true },
    commit_url: { type: 'string', nullable: true },
    links: {
      type: 'object',
      properties: {
        self: { type: 'string' },
        package: { type: 'string' },
        repo: { type: 'string' },
        events: { type: 'string' },
        page: { type: 'string' },
      },
    },
  },
};

export const BUILD_PAGE_SCHEMA = {
  type: 'object',
  properties: {
    builds: { type: 'array', items: BUILD_SCHEMA },
    next: { type: 'string', nullable: true, description: 'The next (older) page, or null on the last one' },
  },
};

export const EVENT_SCHEMA = {
  type: 'object',
  properties: {
    position: { type: 'integer' },
    revision: { type: 'integer' },
    type: { type: 'string', example: 'BuildSucceeded' },
    schema_version: { type: 'integer', example: 1 },
    event_id: { type: 'string' },
    occurred_at: { type: 'string', format: 'date-time' },
    actor: { type: 'string', example: 'builder-1' },
    trigger: { type: 'string', nullable: true },
    correlation_id: { type: 'string' },
    data: { type: 'object', additionalProperties: true },
  },
};
