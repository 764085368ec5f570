import { DomainError } from '../shared/errors.js';
import { rpmFileName, rpmUpstreamVersion, rpmVerRel } from './rpm-values.js';

/** A spec file that lacks what a build needs (no `Name:`, no `Version:`…); the message says what. */
export class SpecParseError extends DomainError {
  constructor(problem: string) {
    super('SPEC_UNPARSABLE', `spec file does not parse: ${problem}`, { problem });
  }
}

/** The `%setup`/`%autosetup` line of `%prep`, as written. */
export interface SpecSetup {
  readonly macro: 'setup' | 'autosetup';
  /** Raw `-n` argument (macros not expanded), or null: rpm then expects `%{name}-%{version}`. */
  readonly directory: string | null;
  /** `-c`: rpm creates the directory and unpacks inside it, so the tarball's top is irrelevant. */
  readonly createsDirectory: boolean;
}

export interface SpecBasics {
  /** `Name:` with the spec's own macros expanded. */
  readonly name: string;
  /** `Version:` as written. */
  readonly version: string;
  /** `Source0:` (or `Source:`) as written, or null when the spec has none. */
  readonly source0: string | null;
  readonly setup: SpecSetup | null;
  /** Simple macros the spec defines (`%global`/`%define`, plus name, version, release). */
  readonly macros: ReadonlyMap<string, string>;
}

// Sections end the preamble; tags read after them belong to sub-packages or scripts.
const SECTION =
  /^%(package|description|prep|build|install|check|clean|files|changelog|pre|post|preun|postun|pretrans|posttrans|trigger\w*|verifyscript|generate_buildrequires|conf)\b/;
const DEFINITION = /^\s*%(?:global|define)\s+([A-Za-z_]\w*)(?!\()\s+(.*?)\s*$/;

function tagValue(lines: readonly string[], tag: string): string | null {
  const pattern = new RegExp(`^\\s*${tag}\\s*:\\s*(.*?)\\s*$`, 'i');
  for (const line of lines) {
    if (SECTION.test(line)) return null;
    const match = pattern.exec(line);
    if (match) return match[1]!;
  }
  return null;
}

/** Splits on blanks that are not inside `%{…}`. */
function tokens(line: string): string[] {
  const out: string[] = [];
  let current = '';
  let depth = 0;
  for (const char of line) {
    if (char === '{') depth++;
    if (char === '}' && depth > 0) depth--;
    if (/\s/.test(char) && depth === 0) {
      if (current) out.push(current);
      current = '';
    } else current += char;
  }
  if (current) out.push(current);
  return out;
}

/** `%setup`/`%autosetup` options that take a value: the rest of the word, else the next word. */
const TAKES_VALUE = new Set(['a', 'b', 'n', 'p', 'S']);

function parseSetup(lines: readonly string[]): SpecSetup | null {
  for (const line of lines) {
    const words = tokens(line);
    const head = words[0];
    if (head !== '%setup' && head !== '%autosetup') continue;
    let directory: string | null = null;
    let createsDirectory = false;
    // rpm reads the options with popt: short flags cluster (`-qcT`), and a flag that takes a value
    // takes the rest of its word (`-qn%{name}`) or the next word (`-qn %{name}`).
    for (let i = 1; i < words.length; i++) {
      const word = words[i]!;
      if (!/^-[A-Za-z]/.test(word)) continue;
      for (let j = 1; j < word.length; j++) {
        const flag = word[j]!;
        if (flag === 'c') createsDirectory = true;
        if (!TAKES_VALUE.has(flag)) continue;
        const value = j + 1 < word.length ? word.slice(j + 1) : (words[++i] ?? null);
        if (flag === 'n') directory = value;
        break;
      }
    }
    return { macro: head === '%setup' ? 'setup' : 'autosetup', directory, createsDirectory };
  }
  return null;
}

/**
 * Name, Version, Source0 and the `%setup` line of a spec, or SpecParseError naming what is
 * missing. Pure text reading: only the spec's own simple `%global`/`%define` macros are known.
 */
export function parseSpecBasics(text: string): SpecBasics {
  if (text.includes('\0')) throw new SpecParseError('it is not a text file');
  const lines = text.split(/\r?\n/);
  const rawName = tagValue(lines, 'Name');
  if (rawName === null) throw new SpecParseError('no Name: tag in the preamble');
  if (!rawName) throw new SpecParseError('the Name: tag is empty');
  const version = tagValue(lines, 'Version');
  if (version === null) throw new SpecParseError('no Version: tag in the preamble');
  if (!version) throw new SpecParseError('the Version: tag is empty');
  const release = tagValue(lines, 'Release') ?? '';
  const source0 = tagValue(lines, 'Source0') ?? tagValue(lines, 'Source');

  const macros = new Map<string, string>([
    ['name', rawName],
    ['version', version],
    ['release', release],
  ]);
  for (const line of lines) {
    const match = DEFINITION.exec(line);
    if (match) macros.set(match[1]!, match[2]!);
  }
  for (const tag of ['name', 'version', 'release']) macros.set(tag.toUpperCase(), macros.get(tag)!);

  const name = expandMacros(rawName, macros);
  if (name.includes('%')) throw new SpecParseError(`Name: ${rawName} uses a macro the spec does not define`);
  if (/\s|\//.test(name)) throw new SpecParseError(`Name: ${JSON.stringify(name)} is not a package name`);
  return { name, version, source0, setup: parseSetup(lines), macros };
}

/** Index of the `}` closing the `{` at `open`, or -1. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/**
 * Expands `%{x}`, `%x`, `%{?x}`, `%{?x:text}`, `%{!?x:text}` and `%%` with the given macros.
 * Unknown macros are left as written, so callers can tell that a value is not resolved.
 */
export function expandMacros(text: string, macros: ReadonlyMap<string, string>, depth = 0): string {
  if (depth > 16) return text; // a macro that refers to itself; rpm would fail too
  let out = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (char !== '%') {
      out += char;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '%') {
      out += '%';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(text, i + 1);
      if (end === -1) return out + text.slice(i);
      const body = text.slice(i + 2, end);
      const match = /^(!?\?|\?!)?([A-Za-z_]\w*)(?::([\s\S]*))?$/.exec(body);
      const value = match ? macros.get(match[2]!) : undefined;
      if (!match) out += text.slice(i, end + 1);
      else if (match[1] === undefined) {
        out += value === undefined ? text.slice(i, end + 1) : expandMacros(value, macros, depth + 1);
      } else {
        const wanted = match[1] === '?' ? value !== undefined : value === undefined;
        const chosen = match[3] ?? (value === undefined ? '' : value);
        out += wanted ? expandMacros(chosen, macros, depth + 1) : '';
      }
      i = end + 1;
    } else {
      const name = /^[A-Za-z_]\w*/.exec(text.slice(i + 1))?.[0];
      const value = name === undefined ? undefined : macros.get(name);
      if (name === undefined || value === undefined) {
        out += char;
        i++;
      } else {
        out += expandMacros(value, macros, depth + 1);
        i += 1 + name.length;
      }
    }
  }
  return out;
}

/**
 * The directory `%prep` will enter after unpacking Source0 — the `-n` argument expanded, else
 * `%{name}-%{version}` — or null when rpm would not look for one (`-c`) or a macro is unknown.
 */
export function setupDirectory(basics: SpecBasics): string | null {
  if (basics.setup?.createsDirectory) return null;
  const raw = basics.setup?.directory ?? '%{name}-%{version}';
  const dir = expandMacros(raw, basics.macros);
  if (!dir || dir.includes('%') || dir.includes('/') || dir === '.' || dir === '..') return null;
  return dir;
}

export interface SpecRewrite {
  /** `%{upstream_version}` and the `UPSTREAMVERSION` placeholder. */
  readonly upstreamVersion: string;
  /** RPM `Version:`; null keeps the spec's (`DLRN_KEEP_VERSION=1`). */
  readonly version: string | null;
  /** RPM release without the dist tag; `Release:` becomes `<release>%{?dist}`. */
  readonly release: string;
  /** `%{dlrn_nvr}`: the generated tarball's name without `.tar.gz`. */
  readonly dlrnNvr: string;
  /** New `Source0:`/`Source:` value; null keeps the spec's (`DLRN_KEEP_TARBALL=1`). */
  readonly tarball: string | null;
  readonly keepChangelog: boolean;
}

const INJECTED = ['upstream_version', 'dlrn', 'dlrn_nvr'];

function checkRewrite(rewrite: SpecRewrite): void {
  rpmUpstreamVersion(rewrite.upstreamVersion, `upstream version ${JSON.stringify(rewrite.upstreamVersion)}`);
  if (rewrite.version !== null) rpmVerRel('version', rewrite.version);
  rpmVerRel('release', rewrite.release);
  rpmFileName(rewrite.dlrnNvr);
  if (rewrite.tarball !== null) rpmFileName(rewrite.tarball);
}

/**
 * DLRN's spec rewrite (build_srpm.sh): `%global dlrn_nvr`, `%global dlrn 1` and
 * `%define upstream_version` go on top (the order DLRN's three `sed 1i` leave), unconditional
 * definitions of the same macros further down are replaced so the injected values win,
 * `UPSTREAMVERSION` is replaced everywhere, `Version:`/`Release:`/`Source0:` are set, and
 * everything after the first `%changelog` line is dropped unless the changelog is kept.
 * DLRN's `s/Version:.*\/…/` is not anchored; here only tag lines of the preamble and `%package`
 * sections change, so text such as `Version: …` in `%description` or a kept changelog stays.
 * Every injected value is checked against RPM's grammar first (RpmValueError): whatever the
 * caller forgot to check, nothing written here is expanded by rpm.
 */
export function rewriteSpec(text: string, rewrite: SpecRewrite): string {
  checkRewrite(rewrite);
  const values: Readonly<Record<string, string>> = {
    upstream_version: rewrite.upstreamVersion,
    dlrn: '1',
    dlrn_nvr: rewrite.dlrnNvr,
  };
  const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
  const out = [
    `%global dlrn_nvr ${rewrite.dlrnNvr}`,
    '%global dlrn 1',
    `%define upstream_version ${rewrite.upstreamVersion}`,
  ];
  let inTags = true; // the preamble and %package sections hold tags; other sections hold text
  for (const original of lines) {
    if (SECTION.test(original)) inTags = original.startsWith('%package');
    let line = original.split('UPSTREAMVERSION').join(rewrite.upstreamVersion);
    const definition = /^(\s*%(?:global|define)\s+)([A-Za-z_]\w*)(\s+)/.exec(line);
    if (definition && INJECTED.includes(definition[2]!)) {
      line = `${definition[1]}${definition[2]}${definition[3]}${values[definition[2]!]}`;
    } else if (!inTags) {
      // text of %description, scripts, %files or %changelog: no tags to set
    } else if (rewrite.version !== null && /^\s*Version\s*:/i.test(line)) {
      line = line.replace(/Version\s*:.*/i, `Version: ${rewrite.version}`);
    } else if (/^\s*Release\s*:/i.test(line)) {
      line = line.replace(/Release\s*:.*/i, `Release: ${rewrite.release}%{?dist}`);
    } else if (rewrite.tarball !== null) {
      line = line.replace(/^(\s*Source0?)\s*:.*/, `$1: ${rewrite.tarball}`);
    }
    out.push(line);
    if (!rewrite.keepChangelog && /^%changelog/.test(original)) break;
  }
  return `${out.join('\n')}\n`;
}
