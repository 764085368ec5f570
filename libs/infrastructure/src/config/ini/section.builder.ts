import { validateSync } from 'class-validator';
import { ConfigError } from '../shared/config.error.js';
import { didYouMean } from '../shared/suggest.js';
import { SECTION_CLASSES, isSectionName } from './dlrn-config.js';
import { iniOptionsOf, type IniOptionSpec } from './ini-option.decorator.js';
import { convertIniValue, resolvePath } from './ini-value.converters.js';
import { DEFAULT_SECTION, type IniEntry, type ScannedIni } from './ini.scanner.js';

/** A decoded value and the entry it came from (for the line, or the override marker). */
export interface FoundValue {
  readonly value: string;
  readonly entry: IniEntry;
}

export interface BuildContext {
  readonly file: string;
  readonly iniDir: string;
  /** configparser's `get(section, option)`: the section's own value, else `[DEFAULT]`'s. */
  readonly lookup: (section: string, option: string) => FoundValue | undefined;
}

const HINTS: Readonly<Record<string, string>> = {
  verbose_build: ' (DLRN sets it from the command line, --verbose-build, never from the file)',
};

function optionNames(section: string): Set<string> {
  if (!isSectionName(section)) return new Set();
  return new Set(iniOptionsOf(SECTION_CLASSES[section]).map((spec) => spec.ini));
}

function owningSection(option: string): string | undefined {
  return Object.keys(SECTION_CLASSES).find((name) => optionNames(name).has(option));
}

/**
 * Refuses unknown sections and options, with a suggestion. Options in `[DEFAULT]` are inherited
 * by every section in configparser, so a driver or `[service]` option is accepted there too.
 */
export function checkKnownNames(scanned: ScannedIni, file: string): void {
  for (const [section, line] of scanned.sections) {
    if (!isSectionName(section)) {
      throw new ConfigError({
        file,
        line,
        reason: `unknown section [${section}]${didYouMean(section, Object.keys(SECTION_CLASSES))}`,
      });
    }
  }
  const everyOption = Object.keys(SECTION_CLASSES).flatMap((name) => [...optionNames(name)]);
  for (const entry of scanned.entries) {
    const own = optionNames(entry.section);
    if (own.has(entry.key)) continue;
    const owner = owningSection(entry.key);
    if (entry.section === DEFAULT_SECTION && owner !== undefined) continue;
    const hint =
      HINTS[entry.key] ??
      (owner === undefined
        ? didYouMean(entry.key, entry.section === DEFAULT_SECTION ? everyOption : own)
        : ` (it belongs in [${owner}])`);
    throw new ConfigError({
      file,
      section: entry.section,
      key: entry.key,
      line: entry.line,
      fromOverride: entry.line === undefined,
      reason: `unknown option${hint}`,
    });
  }
}

// A type failure explains a range failure ("expected an integer, got 'three'" rather than
// "must be at least 0, got 'three'"), so it is reported first.
const TYPE_CONSTRAINTS = ['isInt', 'isBoolean'];

function firstMessage(constraints: Readonly<Record<string, string>>): string {
  const type = TYPE_CONSTRAINTS.find((name) => constraints[name] !== undefined);
  return (type === undefined ? Object.values(constraints)[0] : constraints[type]) ?? 'invalid value';
}

function defaultFor(spec: IniOptionSpec, iniDir: string): unknown {
  if (spec.kind === 'path' && typeof spec.defaultValue === 'string') {
    return resolvePath(iniDir, spec.defaultValue);
  }
  return Array.isArray(spec.defaultValue) ? [...(spec.defaultValue as unknown[])] : spec.defaultValue;
}

/**
 * Fills a section class from the file (converted) or from its defaults, then validates it with
 * class-validator and turns the first failure into a ConfigError naming the INI option.
 * `defaults` replaces declared defaults that depend on other sections (e.g. datadir).
 */
export function buildSection<T extends object>(
  sectionClass: new () => T,
  section: string,
  ctx: BuildContext,
  defaults: Readonly<Record<string, unknown>> = {},
): T {
  const instance = new sectionClass();
  const fields = instance as Record<string, unknown>;
  const sources = new Map<string, { spec: IniOptionSpec; entry?: IniEntry }>();
  for (const spec of iniOptionsOf(sectionClass)) {
    const found = ctx.lookup(section, spec.ini);
    fields[spec.property] =
      found === undefined
        ? Object.hasOwn(defaults, spec.property)
          ? defaults[spec.property]
          : defaultFor(spec, ctx.iniDir)
        : convertIniValue(spec.kind, found.value, ctx.iniDir);
    sources.set(spec.property, { spec, entry: found?.entry });
  }
  // Sections without a single constraint (rdoinfo_driver) are fine, not "unknown values".
  const failures = validateSync(instance, { forbidUnknownValues: false }).map((error) => ({
    error,
    source: sources.get(error.property),
  }));
  failures.sort((a, b) => (a.source?.entry?.line ?? 0) - (b.source?.entry?.line ?? 0));
  const first = failures[0];
  if (first !== undefined) {
    const entry = first.source?.entry;
    throw new ConfigError({
      file: ctx.file,
      section: entry?.section ?? section,
      key: first.source?.spec.ini ?? first.error.property,
      line: entry?.line,
      fromOverride: entry !== undefined && entry.line === undefined,
      reason: firstMessage(first.error.constraints ?? {}),
    });
  }
  return instance;
}
