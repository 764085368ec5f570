import { DomainError } from '../shared/errors.js';
import type { PackageInfo } from './package-info.js';

/**
 * `--package-name` / `--project-name` (repeatable, mutually exclusive). DLRN quirk fixed: a
 * `--project-name` matching no package made DLRN build *every* package; we refuse, naming it.
 */
export function selectPackages(
  packages: readonly PackageInfo[],
  filter: { readonly packageNames: readonly string[]; readonly projectNames: readonly string[] },
): PackageInfo[] {
  const { packageNames, projectNames } = filter;
  if (packageNames.length > 0 && projectNames.length > 0) {
    throw new DomainError('CONFLICTING_FILTERS', '--package-name and --project-name cannot be used together');
  }
  const wanted = packageNames.length > 0 ? packageNames : projectNames;
  if (wanted.length === 0) return [...packages];
  const key = packageNames.length > 0 ? 'name' : 'project';
  const unknown = wanted.filter((name) => !packages.some((p) => p[key] === name));
  if (unknown.length > 0) {
    const flag = key === 'name' ? '--package-name' : '--project-name';
    throw new DomainError('UNKNOWN_PACKAGE', `${flag} ${unknown.join(', ')}: no such package in the package metadata`);
  }
  return packages.filter((p) => wanted.includes(p[key]));
}
