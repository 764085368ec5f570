import { describe, expect, it } from 'vitest';
import { DomainError } from '../shared/errors.js';
import type { PackageInfo } from './package-info.js';
import { selectPackages } from './selection.js';

const pkg = (name: string, project: string): PackageInfo => ({
  name,
  project,
  upstream: `https://git.example.org/${project}`,
  'master-distgit': `https://git.example.org/${name}-distgit`,
  maintainers: [],
});
const PACKAGES = [pkg('python-nova', 'nova'), pkg('python-glance', 'glance'), pkg('openstack-nova-doc', 'nova')];
const none: readonly string[] = [];

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('selectPackages (--package-name / --project-name)', () => {
  it('with no filter returns every package, in order, as a new array', () => {
    const selected = selectPackages(PACKAGES, { packageNames: none, projectNames: none });
    expect(selected).toEqual(PACKAGES);
    expect(selected).not.toBe(PACKAGES);
  });

  it('with --package-name returns the named packages only, matched on the package name', () => {
    const selected = selectPackages(PACKAGES, { packageNames: ['python-glance'], projectNames: none });
    expect(selected.map((p) => p.name)).toEqual(['python-glance']);
  });

  it('with --project-name returns every package of that project, matched on the project', () => {
    const selected = selectPackages(PACKAGES, { packageNames: none, projectNames: ['nova'] });
    expect(selected.map((p) => p.name)).toEqual(['python-nova', 'openstack-nova-doc']);
  });

  it('keeps the metadata order, not the order the names were given in', () => {
    const selected = selectPackages(PACKAGES, {
      packageNames: ['openstack-nova-doc', 'python-nova'],
      projectNames: none,
    });
    expect(selected.map((p) => p.name)).toEqual(['python-nova', 'openstack-nova-doc']);
  });

  it('refuses both filters together (CONFLICTING_FILTERS), naming both flags', () => {
    const error = refusal(() => selectPackages(PACKAGES, { packageNames: ['python-nova'], projectNames: ['nova'] }));
    expect(error.code).toBe('CONFLICTING_FILTERS');
    expect(error.message).toBe('--package-name and --project-name cannot be used together');
  });

  it('refuses a --package-name matching no package, naming the flag and every unknown name', () => {
    const error = refusal(() =>
      selectPackages(PACKAGES, { packageNames: ['python-nova', 'nope', 'nova'], projectNames: none }),
    );
    expect(error.code).toBe('UNKNOWN_PACKAGE');
    // 'nova' is a project, not a package name: --package-name does not match projects.
    expect(error.message).toBe('--package-name nope, nova: no such package in the package metadata');
  });

  it('refuses a --project-name matching no project (DLRN built every package), naming it', () => {
    const error = refusal(() => selectPackages(PACKAGES, { packageNames: none, projectNames: ['python-nova'] }));
    expect(error.code).toBe('UNKNOWN_PACKAGE');
    expect(error.message).toBe('--project-name python-nova: no such package in the package metadata');
  });
});
