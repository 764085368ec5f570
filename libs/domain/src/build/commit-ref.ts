import { InvalidValueError } from '../shared/errors.js';

/**
 * The triple that identifies what gets built: upstream source commit, dist-git commit and the
 * optional extended commit (downstream driver: `<downstream distgit sha>_<downstream source sha>`).
 */
export interface CommitRef {
  readonly commitHash: string;
  readonly distroHash: string;
  readonly extendedHash: string | null;
}

/** A commit triple with its committer timestamps (epoch seconds); `dtCommit` orders all builds globally. */
export interface DatedCommitRef extends CommitRef {
  readonly dtCommit: number;
  readonly dtDistro: number;
  readonly dtExtended: number | null;
}

/** Just the dated triple of a larger record, in the order DLRN's columns (and our events) list it. */
export function datedCommitRef(source: DatedCommitRef): DatedCommitRef {
  return {
    commitHash: source.commitHash,
    distroHash: source.distroHash,
    extendedHash: source.extendedHash,
    dtCommit: source.dtCommit,
    dtDistro: source.dtDistro,
    dtExtended: source.dtExtended,
  };
}

/*
 * Hashes end up in directory names and URLs, so they must be safe path segments. Git SHA-1 and
 * SHA-256 are hex; the local driver uses `<name>-<version>` and dev mode uses `dev`, hence the
 * wider alphabet. No `/`, no `..`, no whitespace.
 */
const HASH_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+~-]*$/;

function checkHash(what: string, value: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidValueError(what, value, 'must not be empty');
  if (value.length > maxLength) throw new InvalidValueError(what, value, `longer than ${maxLength} characters`);
  if (!HASH_PATTERN.test(value) || value.includes('..')) {
    throw new InvalidValueError(what, value, 'only letters, digits and . _ + ~ - are allowed, and no ".."');
  }
  return value;
}

/** Validates a commit triple (DLRN's column sizes: 64, 64 and 128 characters). */
export function commitRef(commitHash: string, distroHash: string, extendedHash: string | null = null): CommitRef {
  return {
    commitHash: checkHash('commit_hash', commitHash, 64),
    distroHash: checkHash('distro_hash', distroHash, 64),
    extendedHash:
      extendedHash === null || extendedHash === 'None' ? null : checkHash('extended_hash', extendedHash, 128),
  };
}

/** Package names are directory names too: `<datadir>/<name>`, `<datadir>/<name>_distro`. */
const PACKAGE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

export function packageName(value: string): string {
  if (!PACKAGE_NAME_PATTERN.test(value) || value.length > 256 || value.includes('..')) {
    throw new InvalidValueError('package name', value, 'letters, digits and . _ + - only, at most 256');
  }
  return value;
}

/** The build stream of one (package, triple): claims, results, rechecks and purges live there. */
export function buildStreamId(pkg: string, ref: CommitRef): string {
  const ext = ref.extendedHash === null ? '' : `_${ref.extendedHash}`;
  return `build-${pkg}@${ref.commitHash}_${ref.distroHash}${ext}`;
}

/** The stream of facts about a package as a whole (history rewrites, notifications). */
export function packageStreamId(pkg: string): string {
  return `package-${pkg}`;
}
