import type { PackageInfo } from '#domain/package/package-info.js';
import { closestMatch, didYouMean } from '../shared/suggest.js';
import { InterpolationError, interpolateEntry } from './interpolation.js';
import { refuseAt, type Layer, type MergedInfo, type Origin } from './info.merger.js';
import { childPath, describe, isMapping } from './yaml-document.reader.js';

export interface ResolveOptions {
  /** Config `tags` (distroinfo's apply_tag): overrides applied, untagged packages dropped. */
  readonly tag: string | null;
  /** Downstream driver's `downstream_tag`: a second filter on the same `tags` keys. */
  readonly extraTag?: string | null;
  /** Keys the selected driver reads from every package besides DLRN's common ones. */
  readonly requiredKeys?: readonly string[];
}

/** Optional keys DLRN uses as text; a YAML number here (`distro-branch: 2023.10`) is a trap. */
const TEXT_KEYS = ['source-branch', 'distro-branch', 'component', 'distgit-path', 'version-from'];

/** Package keys DLRN (or distroinfo for it) reads. */
const READ_KEYS = ['project', 'name', 'conf', 'upstream', 'master-distgit', 'maintainers', 'tags', ...TEXT_KEYS];

/**
 * Keys real rdoinfo/distroinfo files carry that DLRN does not read: kept as they are, even when
 * they look like a misspelling of a read key.
 */
const CARRIED_KEYS = [
  'distgit',
  'patches',
  'review-origin',
  'review-patches',
  'buildsys-tags',
  'under-review',
  'koji-tags',
  'mdapi',
  'release',
];

class PackageBuilder {
  readonly value: Record<string, unknown> = {};
  readonly origins = new Map<string, Origin>();

  constructor(readonly entry: Layer) {}

  apply(layer: Layer): void {
    for (const [key, value] of Object.entries(layer.value)) {
      this.value[key] = structuredClone(value);
      this.origins.set(key, layer.keyOrigins.get(key) ?? layer.origin);
    }
  }

  /** Where a key was set, or where it should have been (the package entry). */
  originOf(key: string): { origin: Origin; path: string } {
    const origin = this.origins.get(key);
    return origin === undefined
      ? { origin: this.entry.origin, path: childPath(this.entry.origin.path, key) }
      : { origin, path: origin.path };
  }

  refuse(key: string, reason: string): never {
    const { origin, path } = this.originOf(key);
    return refuseAt(origin, `${reason} (project '${String(this.entry.value['project'])}')`, path);
  }
}

function applyConf(pkg: PackageBuilder, merged: MergedInfo): void {
  if (!Object.hasOwn(pkg.entry.value, 'conf')) return;
  const conf = pkg.entry.value['conf'];
  const known = [...merged.packageConfigs.keys()];
  const layer = typeof conf === 'string' ? merged.packageConfigs.get(conf) : undefined;
  if (layer === undefined) {
    pkg.refuse(
      'conf',
      `unknown conf ${JSON.stringify(conf)}: not in package-configs${didYouMean(String(conf), known)}`,
    );
  }
  pkg.apply(layer);
}

function applyTag(pkg: PackageBuilder, tag: string): void {
  const tags = pkg.value['tags'];
  if (tags === undefined || tags === null) return;
  if (!isMapping(tags)) pkg.refuse('tags', `must be a mapping of release → overrides, got ${describe(tags)}`);
  const overrides = tags[tag];
  if (overrides === undefined || overrides === null) return;
  const { origin, path } = pkg.originOf('tags');
  const tagPath = childPath(path, tag);
  if (!isMapping(overrides)) {
    refuseAt(origin, `overrides for '${tag}' must be a mapping or empty, got ${describe(overrides)}`, tagPath);
  }
  for (const [key, value] of Object.entries(overrides)) {
    pkg.value[key] = structuredClone(value);
    pkg.origins.set(key, { doc: origin.doc, path: childPath(tagPath, key) });
  }
}

function requireText(pkg: PackageBuilder, key: string): void {
  const value = pkg.value[key];
  if (value === undefined || value === null || value === '') pkg.refuse(key, `missing '${key}'`);
  if (typeof value !== 'string') pkg.refuse(key, `must be text, got ${describe(value)}`);
}

function validate(pkg: PackageBuilder, requiredKeys: readonly string[]): void {
  requireText(pkg, 'name');
  const upstream = pkg.value['upstream'];
  if (Array.isArray(upstream)) {
    if (upstream.length === 0 || !upstream.every((u) => typeof u === 'string' && u !== '')) {
      pkg.refuse('upstream', 'must be a URL or a non-empty list of URLs');
    }
  } else {
    requireText(pkg, 'upstream');
  }
  requireText(pkg, 'master-distgit');
  for (const key of requiredKeys) requireText(pkg, key);
  // Both URLs are written into versions.csv, which DLRN writes (and its readers parse) without
  // quoting: a comma or a line break would shift or split the row of every snapshot.
  for (const key of ['upstream', 'master-distgit']) {
    const values: unknown[] = Array.isArray(pkg.value[key]) ? (pkg.value[key] as unknown[]) : [pkg.value[key]];
    for (const url of values) {
      if (typeof url === 'string' && /[,\r\n]/.test(url)) {
        pkg.refuse(key, `${JSON.stringify(url)}: a URL with a comma or a line break would break versions.csv`);
      }
    }
  }
  // distroinfo parse_package: at least one maintainer, each an e-mail address.
  const maintainers = pkg.value['maintainers'];
  if (maintainers === undefined || maintainers === null) pkg.refuse('maintainers', "missing 'maintainers'");
  if (!Array.isArray(maintainers) || maintainers.length === 0) {
    pkg.refuse('maintainers', 'must be a non-empty list of e-mail addresses');
  }
  for (const maintainer of maintainers as unknown[]) {
    if (typeof maintainer !== 'string' || !maintainer.includes('@')) {
      pkg.refuse('maintainers', `${JSON.stringify(maintainer)} doesn't look like a maintainer's e-mail`);
    }
  }
  // A near miss of a key DLRN reads (`distro-brnach`) would be ignored, and the package built
  // from the wrong branch or skipped: refused. Other unknown keys are rdoinfo's own and load.
  for (const key of Object.keys(pkg.value)) {
    if (READ_KEYS.includes(key) || CARRIED_KEYS.includes(key) || requiredKeys.includes(key)) continue;
    const near = closestMatch(key, READ_KEYS);
    if (near !== undefined) pkg.refuse(key, `unknown key '${key}' (did you mean '${near}'?)`);
  }
  for (const key of TEXT_KEYS) {
    const value = pkg.value[key];
    if (value !== undefined && typeof value !== 'string') {
      pkg.refuse(key, `must be text (quote it), got ${describe(value)}`);
    }
  }
  // The component names directories (`repos/component/<c>/`): one plain path segment.
  const component = pkg.value['component'];
  if (typeof component === 'string' && !/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(component)) {
    pkg.refuse('component', `${JSON.stringify(component)} is not a plain directory name`);
  }
}

function hasTag(pkg: Record<string, unknown>, tag: string): boolean {
  const tags = pkg['tags'];
  // distroinfo's filter_pkgs does re.search(tag, key) over the keys, so `train` also keeps a
  // package tagged only `train-uc`; we match the key exactly.
  return isMapping(tags) && Object.hasOwn(tags, tag);
}

/**
 * Resolves every package as distroinfo's parse_package does (package-default, then
 * package-configs[conf], then the package's own keys, then the configured tag's overrides, then
 * `%(key)s` interpolation), validates what DLRN needs, and applies DLRN's tag filter.
 * Every package is validated, tagged or not, as distroinfo parses all before DLRN filters.
 */
export function resolveMergedPackages(merged: MergedInfo, options: ResolveOptions): PackageInfo[] {
  const kept: Array<{ pkg: PackageInfo; builder: PackageBuilder }> = [];
  for (const entry of merged.packages.values()) {
    const builder: PackageBuilder = new PackageBuilder(entry);
    if (merged.packageDefault !== undefined) builder.apply(merged.packageDefault);
    applyConf(builder, merged);
    builder.apply(entry);
    if (options.tag !== null) applyTag(builder, options.tag);
    let resolved: Record<string, unknown>;
    try {
      resolved = interpolateEntry(builder.value);
    } catch (error) {
      if (!(error instanceof InterpolationError)) throw error;
      builder.refuse(error.key, error.reason);
    }
    Object.assign(builder.value, resolved);
    validate(builder, options.requiredKeys ?? []);
    const tagged = [options.tag, options.extraTag ?? null].every((t) => t === null || hasTag(resolved, t));
    if (tagged) kept.push({ pkg: resolved as PackageInfo, builder });
  }
  const byName = new Map<string, PackageBuilder>();
  for (const { pkg, builder } of kept) {
    const first = byName.get(pkg.name);
    if (first !== undefined) {
      const { path, doc } = first.entry.origin;
      builder.refuse(
        'name',
        `duplicate package name '${pkg.name}', also produced by project ` +
          `'${String(first.entry.value['project'])}' (${path} in ${doc.shown})`,
      );
    }
    byName.set(pkg.name, builder);
  }
  return kept.map(({ pkg }) => pkg);
}
