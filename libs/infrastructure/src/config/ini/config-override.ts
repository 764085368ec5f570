import { ConfigError } from '../shared/config.error.js';
import { DEFAULT_SECTION, type ScannedIni } from './ini.scanner.js';

export interface OverrideRule {
  readonly section: string;
  readonly option: string;
  readonly value: string;
}

// DLRN matches `^(\w+)\.(\w+)=(\w+)$` and silently ignores anything else, so a URL, a path or a
// branch like `stable/2024.1` could never be overridden, and a typo went unnoticed. We keep the
// section and option shape but accept any non-empty value, and refuse what does not match.
const RULE = /^(\w+)\.(\w+)=(.+)$/;

/** Parses one `--config-override section.option=value`; refuses a malformed rule. */
export function parseOverride(rule: string, file: string): OverrideRule {
  const match = RULE.exec(rule);
  if (match === null) {
    throw new ConfigError({
      file,
      reason:
        `malformed --config-override '${rule}': expected section.option=value ` +
        `(e.g. DEFAULT.workers=4) with a non-empty value`,
    });
  }
  return { section: match[1] ?? '', option: (match[2] ?? '').toLowerCase(), value: match[3] ?? '' };
}

/**
 * Applies the rules to the scanned file before anything is parsed, as DLRN does, with its rule
 * that only options already in the file can be overridden (configparser's has_option, so a
 * `[DEFAULT]` option also counts for every section).
 *
 * Differences from DLRN: a rule naming a section that is neither DEFAULT nor in the file is
 * refused instead of silently ignored, and so is a malformed rule (see RULE).
 */
export function applyOverrides(scanned: ScannedIni, rules: readonly string[], file: string): void {
  for (const text of rules) {
    const rule = parseOverride(text, file);
    if (rule.section !== DEFAULT_SECTION && !scanned.sections.has(rule.section)) {
      throw new ConfigError({
        file,
        reason:
          `--config-override '${text}': section [${rule.section}] is not in the file; ` +
          `only options present in the file can be overridden`,
      });
    }
    const own = scanned.entries.find((e) => e.section === rule.section && e.key === rule.option);
    const inherited = scanned.entries.find((e) => e.section === DEFAULT_SECTION && e.key === rule.option);
    if (own === undefined && inherited === undefined) {
      // DLRN: RuntimeError("Unknown config option <section>.<option>")
      throw new ConfigError({
        file,
        reason: `Unknown config option ${rule.section}.${rule.option} (--config-override '${text}')`,
      });
    }
    if (own !== undefined) {
      own.value = rule.value;
      own.line = undefined;
    } else {
      // configparser's set() on a section shadows the inherited DEFAULT value for that section only.
      scanned.entries.push({ section: rule.section, key: rule.option, value: rule.value, line: undefined });
    }
  }
}
