import { ConfigError } from '../shared/config.error.js';
import { childPath, describe, isMapping, type YamlDocument } from './yaml-document.reader.js';

/** Where a value was written: enough to name the file, the key path and the line. */
export interface Origin {
  readonly doc: YamlDocument;
  readonly path: string;
}

/** A mapping merged from one or more files, remembering which file set each top-level key. */
export interface Layer {
  value: Record<string, unknown>;
  readonly keyOrigins: Map<string, Origin>;
  /** Where the entry was first written. */
  readonly origin: Origin;
}

export interface MergedInfo {
  readonly packageDefault: Layer | undefined;
  readonly packageConfigs: ReadonlyMap<string, Layer>;
  /** By `project`, in the order distroinfo yields them (first file first, then new ones). */
  readonly packages: ReadonlyMap<string, Layer>;
  readonly releases: ReadonlyMap<string, Record<string, unknown>>;
}

/** Refuses `path` (default: the origin itself); a key that is absent gets its entry's line. */
export function refuseAt(origin: Origin, reason: string, path = origin.path): never {
  const line = origin.doc.lineOf(path) ?? origin.doc.lineOf(origin.path);
  throw new ConfigError({ file: origin.doc.shown, key: path, line, reason });
}

/**
 * distroinfo's `_merge`: mappings merge key by key, lists concatenate, a null (or absent) later
 * value keeps the earlier one, anything else from the later file wins.
 */
export function mergeValues(earlier: unknown, later: unknown): unknown {
  if (isMapping(earlier) && isMapping(later)) {
    const merged: Record<string, unknown> = { ...earlier };
    for (const [key, value] of Object.entries(later)) merged[key] = mergeValues(earlier[key], value);
    return merged;
  }
  if (Array.isArray(earlier) && Array.isArray(later)) return [...(earlier as unknown[]), ...(later as unknown[])];
  if (later === null || later === undefined) return earlier === undefined ? null : earlier;
  return later;
}

function mergeLayer(into: Map<string, Layer>, key: string, entry: Record<string, unknown>, origin: Origin): void {
  const existing = into.get(key);
  const layer = existing ?? { value: {}, keyOrigins: new Map<string, Origin>(), origin };
  layer.value = mergeValues(layer.value, entry) as Record<string, unknown>;
  for (const [k, v] of Object.entries(entry)) {
    if (v !== null || !layer.keyOrigins.has(k)) {
      layer.keyOrigins.set(k, { doc: origin.doc, path: childPath(origin.path, k) });
    }
  }
  into.set(key, layer);
}

function entriesOf(doc: YamlDocument, section: string): Array<[string, unknown]> {
  const value = doc.data[section];
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((item, i) => [childPath(section, i), item]);
  // distroinfo also accepts `packages:`/`releases:` as a mapping and uses its values.
  if (isMapping(value)) return Object.entries(value).map(([k, item]) => [childPath(section, k), item]);
  return refuseAt({ doc, path: section }, `must be a list, got ${describe(value)}`);
}

function mergePackages(doc: YamlDocument, packages: Map<string, Layer>): void {
  const inThisFile = new Map<string, string>();
  for (const [path, entry] of entriesOf(doc, 'packages')) {
    const origin = { doc, path };
    if (!isMapping(entry)) refuseAt(origin, `a package entry must be a mapping, got ${describe(entry)}`);
    const project = entry['project'];
    if (project === undefined || project === null) {
      refuseAt(
        origin,
        "missing 'project' (every package entry needs its short project name)",
        childPath(path, 'project'),
      );
    }
    if (typeof project !== 'string' || project === '') {
      refuseAt(origin, `must be a non-empty string (quote it), got ${describe(project)}`, childPath(path, 'project'));
    }
    // The same project in several files is how tags/<release>.yml adds to rdo.yml; twice in
    // one file is a mistake (distroinfo: DuplicatedProject).
    const first = inThisFile.get(project);
    if (first !== undefined) {
      refuseAt(
        origin,
        `duplicate project '${project}' (first at ${first}, line ${doc.lineOf(first) ?? '?'})`,
        childPath(path, 'project'),
      );
    }
    inThisFile.set(project, path);
    mergeLayer(packages, project, entry, origin);
  }
}

function mergeReleases(doc: YamlDocument, releases: Map<string, Record<string, unknown>>): void {
  for (const [path, release] of entriesOf(doc, 'releases')) {
    const origin = { doc, path };
    if (!isMapping(release)) refuseAt(origin, `a release must be a mapping, got ${describe(release)}`);
    const name = release['name'];
    if (typeof name !== 'string' || name === '') refuseAt(origin, "missing 'name'", childPath(path, 'name'));
    // distroinfo parse_releases: every release has repos, every repo a name and a branch
    // (its own or the release's).
    const repos = release['repos'];
    if (!Array.isArray(repos)) {
      refuseAt(origin, `must be a list of repos, got ${describe(repos)}`, childPath(path, 'repos'));
    }
    repos.forEach((repo: unknown, i) => {
      const repoPath = childPath(childPath(path, 'repos'), i);
      if (!isMapping(repo) || typeof repo['name'] !== 'string') refuseAt(origin, "a repo needs a 'name'", repoPath);
      if (repo['branch'] === undefined && typeof release['branch'] !== 'string') {
        refuseAt(origin, "a repo needs a 'branch' (its own or the release's)", repoPath);
      }
    });
    const existing = releases.get(name);
    releases.set(name, existing === undefined ? release : (mergeValues(existing, release) as Record<string, unknown>));
  }
}

/**
 * Merges the loaded files in order, as distroinfo's merge_infos does: releases by name,
 * packages by project, package-default and each package-config key by key.
 */
export function mergeInfoFiles(docs: readonly YamlDocument[]): MergedInfo {
  const packages = new Map<string, Layer>();
  const releases = new Map<string, Record<string, unknown>>();
  const configs = new Map<string, Layer>();
  const defaults = new Map<string, Layer>();
  let sawPackages = false;
  let sawReleases = false;
  for (const doc of docs) {
    sawPackages ||= doc.data['packages'] !== undefined;
    sawReleases ||= doc.data['releases'] !== undefined;
    mergeReleases(doc, releases);
    const packageDefault = doc.data['package-default'];
    if (packageDefault !== undefined && packageDefault !== null) {
      const origin = { doc, path: 'package-default' };
      if (!isMapping(packageDefault)) refuseAt(origin, `must be a mapping, got ${describe(packageDefault)}`);
      mergeLayer(defaults, '', packageDefault, origin);
    }
    for (const [path, conf] of entriesOfMapping(doc, 'package-configs')) {
      const origin = { doc, path };
      if (!isMapping(conf)) refuseAt(origin, `a package config must be a mapping, got ${describe(conf)}`);
      mergeLayer(configs, path.slice('package-configs.'.length), conf, origin);
    }
    mergePackages(doc, packages);
  }
  const first = docs[0];
  if (first !== undefined && (!sawReleases || !sawPackages)) {
    // distroinfo: MissingRequiredSection.
    throw new ConfigError({
      file: first.shown,
      reason: `no info file defines '${sawReleases ? 'packages' : 'releases'}' (required by distroinfo)`,
    });
  }
  return { packageDefault: defaults.get(''), packageConfigs: configs, packages, releases };
}

function entriesOfMapping(doc: YamlDocument, section: string): Array<[string, unknown]> {
  const value = doc.data[section];
  if (value === undefined || value === null) return [];
  if (!isMapping(value)) return refuseAt({ doc, path: section }, `must be a mapping, got ${describe(value)}`);
  return Object.entries(value).map(([k, item]) => [childPath(section, k), item]);
}
