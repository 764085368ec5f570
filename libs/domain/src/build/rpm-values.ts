import { DomainError } from '../shared/errors.js';

/**
 * A value that would reach a spec or an rpm/mock command line and that rpm would not take as
 * written (or would expand: `%`). The message names the value and where it came from, since it
 * becomes the failed build's note.
 */
export class RpmValueError extends DomainError {
  constructor(what: string, field: string, why: string) {
    super('RPM_VALUE_REFUSED', `${what} cannot be an RPM ${field}: ${why}`, { what, field, why });
  }
}

/*
 * rpm's own rule for Version and Release (build/parsePreamble.c, rpmCharCheck with
 * ALLOWED_CHARS_VERREL): ASCII letters and digits plus `. _ + ~ ^ % { }`, and no `..`. rpm takes
 * `% { }` because it expands macros before the check; a value we write is literal, so those three
 * are refused: a `%` that reached a spec would be expanded, and `%(…)` runs a shell. Checked with
 * rpm 4.18: `1.0..1` and `1.0-1` are refused, `1.0^1`, `.1` and `1_0` accepted.
 */
const VERREL_PUNCTUATION = '._+~^';
/** Tarball and directory names are made of versions: keep them well under NAME_MAX. */
const MAX_LENGTH = 128;
const NAME_MAX = 255;

function problem(value: string, punctuation: string, maxLength: number): string | null {
  if (value.length === 0) return 'it is empty';
  for (const char of value) {
    if (/^[A-Za-z0-9]$/.test(char) || punctuation.includes(char)) continue;
    return `${JSON.stringify(char)} is not allowed (letters, digits and ${[...punctuation].join(' ')} only)`;
  }
  if (value.includes('..')) return 'a ".." is not allowed';
  if (value.length > maxLength) return `it is longer than ${maxLength} characters`;
  return null;
}

function check(value: string, punctuation: string, what: string, field: string, maxLength = MAX_LENGTH): string {
  const why = problem(value, punctuation, maxLength);
  if (why !== null) throw new RpmValueError(what, field, why);
  return value;
}

/** A literal `Version:` or `Release:` value, or RpmValueError. `what` names its origin. */
export function rpmVerRel(field: 'version' | 'release', value: string, what = JSON.stringify(value)): string {
  return check(value, VERREL_PUNCTUATION, what, field);
}

/**
 * `%{upstream_version}`: the Version alphabet plus `-`, since upstream versions such as
 * `9.0.0-rc1` keep their dash there (DLRN's version rules turn it into the `Version:`). It also
 * names the tarball and the directory `%setup` enters, so `/` is refused with the rest.
 */
export function rpmUpstreamVersion(value: string, what = JSON.stringify(value)): string {
  return check(value, `${VERREL_PUNCTUATION}-`, what, 'version');
}

/**
 * A `name-version-release` built from checked parts (`%{dlrn_nvr}`, the tarball's name): package
 * names also bring `-`, so the upstream alphabet applies. A suffix such as `.tar.gz` may follow.
 */
export function rpmFileName(value: string, what = JSON.stringify(value)): string {
  return check(value, `${VERREL_PUNCTUATION}-`, what, 'file name', NAME_MAX);
}

/** `%{dist}` as given to rpm with `--define`: empty, or a release part such as `.el9`. */
export function rpmDist(value: string): string {
  return value === '' ? value : check(value, VERREL_PUNCTUATION, `dist ${JSON.stringify(value)}`, 'dist tag');
}

const DEFINE_OPTIONS = new Set(['-D', '--define']);

/**
 * Extra options for rpmbuild or mock (`-D 'repo_bootstrap 1'` with `--order`): each is one
 * argument without `%`, NUL or line break — whatever its form (`--define=…`, `-Dname value`,
 * `--with …`), a value may become a macro body, so no option can make rpm run a command — and a
 * separate `-D`/`--define` value is a macro name and a body.
 */
export function builderOptions(options: readonly string[]): readonly string[] {
  options.forEach((option, i) => {
    const bad = /[%\0\r\n]/.exec(option)?.[0];
    if (bad !== undefined)
      throw new RpmValueError(JSON.stringify(option), 'option', `${JSON.stringify(bad)} is not allowed`);
    const previous = i > 0 ? options[i - 1]! : '';
    if (DEFINE_OPTIONS.has(previous) && !/^[A-Za-z_]\w*\s+\S/.test(option)) {
      throw new RpmValueError(JSON.stringify(option), 'macro definition', 'expected "<name> <value>"');
    }
  });
  if (options.length > 0 && DEFINE_OPTIONS.has(options.at(-1)!)) {
    throw new RpmValueError(JSON.stringify(options.at(-1)), 'option', 'it lacks its macro definition');
  }
  return options;
}
