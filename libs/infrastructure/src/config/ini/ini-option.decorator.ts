/**
 * How an INI string becomes a typed value. Conversions are lenient on purpose: a value that does
 * not convert is kept as the raw string, so that the class-validator constraint on the property
 * fails and produces the message ("expected an integer, got 'three'").
 *
 * - `string`: kept as written (DLRN options with a string default).
 * - `optional`: DLRN's untyped options that default to None; empty means unset (null).
 * - `presence`: like `optional` but an empty value stays `''` (DLRN's `gerrit` is on when present).
 * - `int`, `bool`: configparser's getint / getboolean.
 * - `list`: split on commas, no trimming, as DLRN does (an empty value is an empty list).
 * - `trimmed-list`: our own lists (`[service] auth_drivers`), trimmed, empty items dropped.
 * - `path`: resolved against the INI file's directory.
 * - `optional-path`: a path whose empty value means "use the default".
 */
export type IniKind =
  'string' | 'optional' | 'presence' | 'int' | 'bool' | 'list' | 'trimmed-list' | 'path' | 'optional-path';

export interface IniOptionSpec {
  /** camelCase property on the section class. */
  readonly property: string;
  /** Option name in projects.ini. */
  readonly ini: string;
  readonly kind: IniKind;
  /** Value when the option is absent; `path` defaults are relative to the INI directory. */
  readonly defaultValue: unknown;
}

// Keyed by the section class; decorators run once per class definition.
const registry = new Map<object, IniOptionSpec[]>();

/** Declares which projects.ini option fills the decorated property, and how. */
export function IniOption(ini: string, kind: IniKind, defaultValue: unknown = null): PropertyDecorator {
  return (target, property) => {
    const specs = registry.get(target.constructor) ?? [];
    specs.push({ property: String(property), ini, kind, defaultValue });
    registry.set(target.constructor, specs);
  };
}

/** The options declared on a section class, in declaration order. */
export function iniOptionsOf(sectionClass: abstract new () => object): readonly IniOptionSpec[] {
  return registry.get(sectionClass) ?? [];
}
