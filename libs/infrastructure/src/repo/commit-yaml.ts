import { YAML11_SCHEMA, dump } from 'js-yaml';

/**
 * `commit.yaml` as DLRN's `saveYAML_commit` writes it: `{commits: [row]}` where every column
 * value went through Python's `str()` (so `None`, `'0'`, `'True'`), keys sorted (PyYAML's
 * default), block style, sequence items not indented. Remote import reads it back, so the
 * values must keep those string forms; the YAML 1.1 schema quotes `'True'`, `'yes'`, `'1'`
 * exactly where PyYAML does. Known differences, all parse to the same values: long strings
 * stay on one line (PyYAML folds at 80 columns), multi-line strings use a `|-` block (PyYAML
 * a single-quoted scalar), non-ASCII is written as is (PyYAML escapes it).
 */
export function renderCommitYaml(row: Readonly<Record<string, unknown>>): string {
  const sorted: Record<string, string> = {};
  // PyYAML sorts by code point; localeCompare would not.
  for (const key of Object.keys(row).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    sorted[key] = pythonStr(key, row[key]);
  }
  return dump({ commits: [sorted] }, { schema: YAML11_SCHEMA, seqNoIndent: true, lineWidth: -1 });
}

/** Python's `str()` of a column value; arrays are the comma-joined `artifacts` column. */
function pythonStr(key: string, value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join(',');
  throw new TypeError(`commit.yaml: column ${key} has no DLRN string form (${typeof value})`);
}
