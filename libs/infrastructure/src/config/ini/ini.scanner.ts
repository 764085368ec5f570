import { ConfigError } from '../shared/config.error.js';

/** The section configparser calls `default_section`; its options are inherited by every section. */
export const DEFAULT_SECTION = 'DEFAULT';

/** One `key = value` as Python's RawConfigParser would read it, plus where it was written. */
export interface IniEntry {
  readonly section: string;
  /** Lower-cased, as configparser's `optionxform` does. */
  readonly key: string;
  /** Raw text after the delimiter, stripped; continuation lines joined with `\n`. */
  value: string;
  /** 1-based line of the key; undefined when the value came from `--config-override`. */
  line: number | undefined;
}

export interface ScannedIni {
  /** Section names in file order (case-sensitive, as in configparser), with header lines. */
  readonly sections: ReadonlyMap<string, number>;
  readonly entries: IniEntry[];
}

const SECTION_HEADER = /^\[(.+)\]\s*$/;
// Same shape as configparser's OPTCRE: the key stops at the first '=' or ':'.
const OPTION_LINE = /^(.*?)\s*[=:]\s*(.*)$/;

/**
 * A line scanner for what the `ini` package cannot do: structural validation with line numbers,
 * configparser's syntax (`key: value`, indented continuation lines, comments only on their own
 * line, duplicate detection as in its default strict mode).
 *
 * Deliberate difference from configparser: keys before any `[section]` header belong to
 * `[DEFAULT]` instead of raising MissingSectionHeaderError, because the FLOCK 2017 talk shows
 * projects.ini that way and it must load.
 */
export function scanIni(text: string, file: string): ScannedIni {
  const sections = new Map<string, number>();
  const entries: IniEntry[] = [];
  const seen = new Map<string, number>(); // `${section}\0${key}` → line
  let section = DEFAULT_SECTION;
  let last: { entry: IniEntry; indent: number; blanks: number } | undefined;

  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  lines.forEach((rawLine, index) => {
    const line = index + 1;
    const trimmed = rawLine.trim();
    const indent = rawLine.length - rawLine.trimStart().length;
    if (trimmed === '') {
      if (last !== undefined) last.blanks++;
      return;
    }
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) return;

    if (last !== undefined && indent > last.indent) {
      // configparser keeps interior blank lines of a multi-line value.
      last.entry.value += '\n'.repeat(last.blanks + 1) + trimmed;
      last.blanks = 0;
      return;
    }
    last = undefined;

    const header = SECTION_HEADER.exec(trimmed);
    if (header !== null) {
      section = header[1] ?? '';
      const firstLine = sections.get(section);
      if (firstLine !== undefined) {
        throw new ConfigError({
          file,
          line,
          reason: `section [${section}] appears twice (first at line ${firstLine})`,
        });
      }
      sections.set(section, line);
      return;
    }

    const option = OPTION_LINE.exec(trimmed);
    const key = option?.[1]?.trim().toLowerCase() ?? '';
    if (option === null || key === '') {
      throw new ConfigError({
        file,
        line,
        reason: `malformed line ${JSON.stringify(trimmed)}: expected '[section]', 'key = value' or a comment`,
      });
    }
    const id = `${section}\0${key}`;
    const firstLine = seen.get(id);
    if (firstLine !== undefined) {
      throw new ConfigError({
        file,
        section,
        key,
        line,
        reason: `option set twice in the same section (first at line ${firstLine})`,
      });
    }
    seen.set(id, line);
    const entry: IniEntry = { section, key, value: (option[2] ?? '').trim(), line };
    entries.push(entry);
    last = { entry, indent, blanks: 0 };
  });
  return { sections, entries };
}
