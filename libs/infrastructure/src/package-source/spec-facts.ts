import { expandMacros, parseSpecBasics } from '#domain/build/spec-rewrite.js';

/** What a package source reads from a spec: its Version and URL, macros expanded where simple. */
export interface SpecFacts {
  /** Null when it uses a macro the spec itself does not define. */
  readonly version: string | null;
  readonly url: string | null;
}

const URL_TAG = /^URL\s*:\s*(\S.*?)\s*$/im;

/** Throws SpecParseError (no Name:, no Version:…). */
export function readSpecFacts(text: string): SpecFacts {
  const basics = parseSpecBasics(text);
  const version = expandMacros(basics.version, basics.macros);
  const rawUrl = URL_TAG.exec(text)?.[1];
  const url = rawUrl === undefined ? null : expandMacros(rawUrl, basics.macros);
  return {
    version: version.includes('%') ? null : version,
    url: url === null || url.includes('%') ? null : url,
  };
}

/** RPM's Version alphabet (no `-`): what can safely be a branch name and part of a commit hash. */
export function isPlainVersion(version: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._+~^]*$/.test(version) && !version.includes('..');
}
