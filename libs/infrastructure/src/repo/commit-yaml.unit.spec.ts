import { YAML11_SCHEMA, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { renderCommitYaml } from './commit-yaml.js';

const row = {
  id: 2,
  type: 'rpm',
  project_name: 'puppet-apache',
  commit_hash: 'ebfb108bf1a19d70aec6c52cdd1952c0e86593fa',
  distro_hash: '642db7af784690c3f17d85ff85b0424001c97b82',
  extended_hash: null,
  dt_commit: 1576575518,
  dt_distro: 1489056308,
  dt_extended: 0,
  dt_build: 1578665875,
  artifacts: ['repos/eb/fb/x/puppet-apache.src.rpm', 'repos/eb/fb/x/puppet-apache.noarch.rpm'],
  commit_branch: 'master',
  component: 'tripleo',
  distgit_dir: './data/puppet-apache_distro/',
  repo_dir: './data/puppet-apache',
  flags: 0,
  notes: 'OK',
  status: 'SUCCESS',
};

describe('when a successful build row is exported', () => {
  it('writes the file DLRN writes: sorted keys, str() values, unindented sequence', () => {
    expect(renderCommitYaml(row)).toBe(
      [
        'commits:',
        '- artifacts: repos/eb/fb/x/puppet-apache.src.rpm,repos/eb/fb/x/puppet-apache.noarch.rpm',
        '  commit_branch: master',
        '  commit_hash: ebfb108bf1a19d70aec6c52cdd1952c0e86593fa',
        '  component: tripleo',
        '  distgit_dir: ./data/puppet-apache_distro/',
        '  distro_hash: 642db7af784690c3f17d85ff85b0424001c97b82',
        "  dt_build: '1578665875'",
        "  dt_commit: '1576575518'",
        "  dt_distro: '1489056308'",
        "  dt_extended: '0'",
        '  extended_hash: None',
        "  flags: '0'",
        "  id: '2'",
        '  notes: OK',
        '  project_name: puppet-apache',
        '  repo_dir: ./data/puppet-apache',
        '  status: SUCCESS',
        '  type: rpm',
        '',
      ].join('\n'),
    );
  });
});

describe('when values look like other YAML types', () => {
  it('quotes them so that a YAML 1.1 reader gets the same strings back', () => {
    const tricky = { a: true, b: 'yes', c: '~', d: '', e: 'line one\nline two: x', f: '1.5', g: 'None' };
    expect(load(renderCommitYaml(tricky), { schema: YAML11_SCHEMA })).toEqual({
      commits: [{ a: 'True', b: 'yes', c: '~', d: '', e: 'line one\nline two: x', f: '1.5', g: 'None' }],
    });
  });
});

describe('when a column holds a nested object', () => {
  it('refuses it, as DLRN columns are scalars', () => {
    expect(() => renderCommitYaml({ notes: { nested: 1 } })).toThrow(/column notes/);
  });
});
