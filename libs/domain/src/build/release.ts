import { InvalidValueError } from '../shared/errors.js';

/** `release_numbering` modes; DLRN treats any other value as `0.date.hash`. */
export type ReleaseNumbering = '0.date.hash' | '0.1.date.hash' | 'minor.date.hash';

export function releaseNumbering(value: string | undefined | null): ReleaseNumbering {
  return value === '0.1.date.hash' || value === 'minor.date.hash' ? value : '0.date.hash';
}

/** `RELEASE_DATE`: the build start (dt_build) in UTC as `YYYYmmddHHMMSS`. */
export function releaseDate(dtBuild: number): string {
  if (!Number.isFinite(dtBuild) || dtBuild < 0) throw new InvalidValueError('dt_build', dtBuild, 'not an epoch time');
  const iso = new Date(Math.floor(dtBuild) * 1000).toISOString(); // 2023-01-10T10:48:45.000Z
  return iso.slice(0, 19).replace(/[-T:]/g, '');
}

/**
 * The RPM Release (before `%{?dist}`): `0.<date>.<sha7>`, `0.1.<date>.<sha7>` or
 * `<minor>.<date>.<sha7>` — e.g. `0.20230110104845.0689564`.
 */
export function releaseString(options: {
  readonly numbering: ReleaseNumbering;
  readonly dtBuild: number;
  readonly commitHash: string;
  readonly minor?: string;
}): string {
  const date = releaseDate(options.dtBuild);
  const sha = options.commitHash.slice(0, 7);
  switch (options.numbering) {
    case '0.1.date.hash':
      return `0.1.${date}.${sha}`;
    case 'minor.date.hash': {
      const minor = options.minor ?? '0';
      if (!/^[0-9A-Za-z._+~]+$/.test(minor))
        throw new InvalidValueError('release_minor', minor, 'not a valid RPM release part');
      return `${minor}.${date}.${sha}`;
    }
    default:
      return `0.${date}.${sha}`;
  }
}

/**
 * RPM `Version` from an upstream version (`git describe --tags` output or a tag): the
 * `-<n>-g<sha>` describe suffix and pre-release parts (`rc1`, `b2`, `a1`, `.dev3`, `.pre`) are
 * stripped; a leading `v` is dropped. Returns `0.0.1` when nothing usable is left, as DLRN does.
 */
export function rpmVersion(upstreamVersion: string | null | undefined): string {
  if (!upstreamVersion) return '0.0.1';
  let version = upstreamVersion.trim().replace(/-\d+-g[0-9a-f]+$/, '');
  version = version.replace(/^v(?=\d)/, '');
  version = version.replace(/[.-]?(dev|pre)\d*.*$/i, '');
  version = version.replace(/\.?(rc|b|a|alpha|beta)\d+.*$/i, '');
  version = version.replace(/[^0-9A-Za-z._+~]/g, '.');
  return /^\d/.test(version) ? version : '0.0.1';
}
