import { InvalidValueError } from '../shared/errors.js';

export interface Nvr {
  readonly name: string;
  readonly version: string;
  readonly release: string;
}

export function formatNvr(nvr: Nvr): string {
  return `${nvr.name}-${nvr.version}-${nvr.release}`;
}

/** Splits `name-version-release`; the name may contain dashes, version and release may not. */
export function parseNvr(value: string): Nvr {
  const match = /^(.+)-([^-]+)-([^-]+)$/.exec(value);
  if (!match) throw new InvalidValueError('NVR', value, 'expected <name>-<version>-<release>');
  return { name: match[1]!, version: match[2]!, release: match[3]! };
}

/** `name-version-release.arch.rpm` → its parts; `src` is the arch of source RPMs. */
export function parseRpmFileName(fileName: string): Nvr & { readonly arch: string } {
  const match = /^(.+)\.([^.]+)\.rpm$/.exec(fileName);
  if (!match) throw new InvalidValueError('RPM file name', fileName, 'expected <nvr>.<arch>.rpm');
  return { ...parseNvr(match[1]!), arch: match[2]! };
}

/**
 * DLRN's NVR of a build: the basename, minus `.src.rpm`, of the first artifact ending in
 * `.src.rpm`, or null when there is none.
 */
export function nvrOfArtifacts(artifacts: readonly string[]): string | null {
  const srpm = artifacts.find((a) => a.endsWith('.src.rpm'));
  if (!srpm) return null;
  const base = srpm.slice(srpm.lastIndexOf('/') + 1);
  return base.slice(0, -'.src.rpm'.length);
}
