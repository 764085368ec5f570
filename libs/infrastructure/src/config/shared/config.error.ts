/** Where a bad value came from, so that the message can point at it. */
export interface ConfigErrorDetails {
  /** The file as the user named it (INI path, or info repo path joined with the YAML name). */
  readonly file: string;
  /** INI option name or YAML key path (`packages[3].upstream`). */
  readonly key?: string;
  /** INI section, when the key is an INI option. */
  readonly section?: string;
  /** 1-based line in `file`. */
  readonly line?: number;
  /** Set when the value came from `--config-override` rather than from the file. */
  readonly fromOverride?: boolean;
  /** What is wrong, in words a packager understands. */
  readonly reason: string;
}

/**
 * Refusal of a configuration or package-metadata file at load time. The message always names
 * the file, and the key and line when they are known, e.g.
 * `projects.ini: [DEFAULT] maxretries: expected an integer, got 'three' (line 12)`.
 */
export class ConfigError extends Error {
  /** Stable code for the CLI/HTTP layers; never rename. */
  readonly code = 'CONFIG_INVALID';
  readonly file: string;
  readonly key?: string;
  readonly section?: string;
  readonly line?: number;
  readonly reason: string;

  constructor(details: ConfigErrorDetails) {
    super(formatMessage(details));
    this.name = 'ConfigError';
    this.file = details.file;
    this.key = details.key;
    this.section = details.section;
    this.line = details.line;
    this.reason = details.reason;
  }
}

function formatMessage(d: ConfigErrorDetails): string {
  const where = [d.section === undefined ? '' : `[${d.section}]`, d.key ?? ''].filter((part) => part !== '').join(' ');
  const position = d.fromOverride ? ' (from --config-override)' : d.line === undefined ? '' : ` (line ${d.line})`;
  return `${d.file}: ${where === '' ? '' : `${where}: `}${d.reason}${position}`;
}
