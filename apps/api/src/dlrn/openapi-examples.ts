/** Examples and schemas shared by the OpenAPI descriptions of DLRN's endpoints. */

export const COMMIT_HASH_EXAMPLE = '1c67b1ab8c6fe273d4e175a14f0df5d3cbbd0edf';
export const DISTRO_HASH_EXAMPLE = '8170b8686c38bafb6021d998e2fb268ab26ccf65';

const hash = { type: 'string', example: COMMIT_HASH_EXAMPLE };
const distro = { type: 'string', example: DISTRO_HASH_EXAMPLE };
const nullableString = (example: string) => ({ type: 'string', nullable: true, example });

export const ERROR_SCHEMA = {
  type: 'object',
  required: ['message'],
  properties: { message: { type: 'string', example: 'No vote found' } },
};

export const VOTE_SCHEMA = {
  type: 'object',
  properties: {
    commit_hash: hash,
    distro_hash: distro,
    extended_hash: nullableString('None'),
    timestamp: { type: 'integer', example: 1700000000 },
    job_id: { type: 'string', example: 'periodic-tempest' },
    success: { type: 'boolean', example: true },
    in_progress: { type: 'boolean', example: false },
    user: nullableString('ci-bot'),
    component: nullableString('tripleo'),
  },
};

export const REPO_STATUS_ITEM_SCHEMA = {
  type: 'object',
  properties: {
    ...VOTE_SCHEMA.properties,
    url: { type: 'string', example: 'https://ci.example.org/job/42' },
    notes: { type: 'string', example: '' },
  },
};

export const AGG_STATUS_ITEM_SCHEMA = {
  type: 'object',
  properties: {
    timestamp: { type: 'integer', example: 1700000000 },
    aggregate_hash: { type: 'string', example: '7d1f1f0b5d3c0b6e2c0d3a9c1b8f4e21' },
    job_id: { type: 'string', example: 'phase2-ci' },
    success: { type: 'boolean', example: true },
    in_progress: { type: 'boolean', example: false },
    url: { type: 'string', example: 'https://ci.example.org/job/43' },
    notes: { type: 'string', example: '' },
    user: nullableString('ci-bot'),
  },
};

export const REPORT_RESULT_SCHEMA = {
  type: 'object',
  properties: {
    ...REPO_STATUS_ITEM_SCHEMA.properties,
    aggregate_hash: nullableString('7d1f1f0b5d3c0b6e2c0d3a9c1b8f4e21'),
  },
};

export const PROMOTION_SCHEMA = {
  type: 'object',
  properties: {
    timestamp: { type: 'integer', example: 1700000000 },
    commit_hash: hash,
    distro_hash: distro,
    extended_hash: nullableString('None'),
    aggregate_hash: nullableString('7d1f1f0b5d3c0b6e2c0d3a9c1b8f4e21'),
    repo_hash: { type: 'string', example: '1c67b1ab8c6fe273d4e175a14f0df5d3cbbd0edf_8170b868' },
    repo_url: {
      type: 'string',
      example: 'https://trunk.example.org/centos9/1c/67/1c67b1ab8c6fe273d4e175a14f0df5d3cbbd0edf_8170b868',
    },
    promote_name: { type: 'string', example: 'current-passed-ci' },
    component: nullableString('tripleo'),
    user: nullableString('ci-bot'),
  },
};
