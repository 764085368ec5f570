import { InvalidValueError } from '../shared/errors.js';
import { rpmUpstreamVersion } from './rpm-values.js';

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

/*
 * DLRN's `setversionandrelease` (scripts/common-functions) tries these bash `=~` patterns in order
 * and keeps the first group. Bash uses POSIX regexes, where `(.*?)` is greedy, so each rule cuts
 * at the LAST occurrence of its marker: `1.0.dev5.dev6` gives `1.0.dev5`, and `2.0.0b3` gives `2.0`
 * (`.0b3` is the marker). Reproduced as is, quirks included, so that NVRs match DLRN's.
 */
const VERSION_RULES: readonly RegExp[] = [
  /^([^-]*)-./s, // describe output or version-release: 1.0.0-d7f1b849, 2015.1.9-13-g53b605d
  /^(.*)\.0rc./s, // pbr release candidate: 7.0.0.0rc2.dev1
  /^(.*)\.0b./s, // pbr beta: 2.0.0.0b4.dev15
  /^(.*)\.0a./s, // pbr alpha: 7.0.0.0a1.dev1
  /^(.*)\.dev./s, // 2014.2.dev50.g99bef1f, 2.0.1.dev17
  /^(.*)\.g./s, // 0.10.1.11.ga5f0e3c
  /^(.*)\.pre/s, // 1.8.0.pre
  /^([.0-9]*)$/, // plain 1.7.3
];

/**
 * RPM `Version` from an upstream version, exactly as DLRN's `setversionandrelease`: describe
 * suffixes and pre-release parts are cut (`22.0.0.0rc1` → `22.0.0`, `21.1.1-5-g0689564` →
 * `21.1.1`), anything unparsable gives `0.0.1`, then the first `-` becomes `.`. The upstream
 * version itself stays available to the spec as `%{upstream_version}`. Tag prefixes (`v1.0`) are
 * stripped earlier, by {@link upstreamVersionFromGit}; here `v1.0` is unparsable, as in DLRN.
 */
export function rpmVersion(upstreamVersion: string | null | undefined): string {
  // DLRN never passes an empty version: build_srpm.sh falls back to 0.0.1 first.
  if (!upstreamVersion) return '0.0.1';
  for (const rule of VERSION_RULES) {
    const match = rule.exec(upstreamVersion);
    if (match) return match[1]!.replace('-', '.');
  }
  return '0.0.1';
}

/** `sed 's/^[vVrR]//'`: DLRN drops one leading v/V/r/R from tag names. */
function stripTagPrefix(tag: string | null | undefined): string {
  return (tag ?? '').trim().replace(/^[vVrR]/, '');
}

/** awk's `$NF+1`: the last dot-separated field as a number (its leading digits, else 0) plus one. */
function bumpLastField(version: string): string {
  const fields = version.split('.');
  // Stryker disable next-line StringLiteral: equivalent: split() gives at least one field, so pop() never gives undefined
  const last = fields.pop() ?? '';
  const digits = /^\d+/.exec(last)?.[0];
  const next = digits === undefined ? 1 : Number(digits) + 1;
  return [...fields, String(next)].join('.');
}

/**
 * The upstream version DLRN derives for a non-Python source (build_srpm.sh): a version file
 * (puppet `metadata.json`) or else the last tag (`git describe --abbrev=0 --tags`), without its
 * `v`/`r` prefix. When the commit is past that tag (`git describe --tags` differs) and the version
 * is that tag (not an `-rc`), the last field is bumped — `1.2.0` plus two commits builds as
 * `1.2.1`, so that trunk builds sort above the tagged release. Nothing found: `0.0.1`.
 */
export function upstreamVersionFromGit(found: {
  /** Version read from a version file of the source tree, if any. */
  readonly fileVersion?: string | null;
  /** `git describe --abbrev=0 --tags` at the commit, or null when there is no tag. */
  readonly lastTag: string | null;
  /** `git describe --tags` at the commit, or null when there is no tag. */
  readonly describe: string | null;
}): string {
  const currentTag = stripTagPrefix(found.lastTag);
  const postVersion = stripTagPrefix(found.describe);
  let version = found.fileVersion?.trim() || currentTag;
  if (version && postVersion !== currentTag && version === currentTag && !version.includes('-rc')) {
    version = bumpLastField(version);
  }
  return version || '0.0.1';
}

/**
 * {@link upstreamVersionFromGit}, refused with RpmValueError unless RPM can take it literally.
 * Tags and metadata.json come from upstream: git allows `%`, `(`, `$`, `{` in tag names, and rpm
 * would run `%(…)` while parsing the spec. The error names the tag or file the version came from.
 */
export function checkedUpstreamVersion(found: Parameters<typeof upstreamVersionFromGit>[0]): string {
  const version = upstreamVersionFromGit(found);
  const fileVersion = found.fileVersion?.trim();
  const origin = fileVersion
    ? `metadata.json version ${JSON.stringify(fileVersion)}`
    : found.lastTag
      ? `upstream tag ${JSON.stringify(found.lastTag)}`
      : // Stryker disable next-line StringLiteral: equivalent: with no tag and no file the version is 0.0.1, never refused, so this text is never shown
        `upstream version ${JSON.stringify(version)}`;
  return rpmUpstreamVersion(version, origin);
}
