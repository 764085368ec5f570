/**
 * The part of Python's `packaging.version` that renderspec's `py2rpmversion`/`py2rpmrelease`
 * read: PEP 440's grammar (packaging's VERSION_PATTERN), its normal form, and the release tuple.
 */
export interface Pep440Version {
  readonly epoch: number;
  readonly release: readonly number[];
  readonly pre: readonly [string, number] | null;
  readonly post: number | null;
  readonly dev: number | null;
}

const PATTERN = new RegExp(
  '^\\s*v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?<pre>[-_.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pre_n>[0-9]+)?)?' +
    '(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?' +
    '(?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?)' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$',
  'i',
);

const PRE_LETTERS: Readonly<Record<string, string>> = {
  alpha: 'a',
  a: 'a',
  beta: 'b',
  b: 'b',
  c: 'rc',
  pre: 'rc',
  preview: 'rc',
  rc: 'rc',
};

/** `packaging.version.parse` (InvalidVersion becomes an Error naming the value). */
export function parsePep440(text: string): Pep440Version {
  const m = PATTERN.exec(text);
  if (!m?.groups) throw new Error(`${JSON.stringify(text)} is not a PEP 440 version`);
  const g = m.groups;
  const num = (value: string | undefined) => (value === undefined ? 0 : Number(value));
  const post = g['post'] === undefined ? null : num(g['post_n1'] ?? g['post_n2']);
  return {
    epoch: num(g['epoch']),
    release: g['release']!.split('.').map(Number),
    pre: g['pre_l'] === undefined ? null : [PRE_LETTERS[g['pre_l'].toLowerCase()]!, num(g['pre_n'])],
    post,
    dev: g['dev'] === undefined ? null : num(g['dev_n']),
  };
}

/** `Version.base_version`: epoch and release only. */
export function baseVersion(v: Pep440Version): string {
  return `${v.epoch !== 0 ? `${v.epoch}!` : ''}${v.release.join('.')}`;
}

/** `Version.public`: the normal form without the local part. */
export function publicVersion(v: Pep440Version): string {
  let text = baseVersion(v);
  if (v.pre) text += `${v.pre[0]}${v.pre[1]}`;
  if (v.post !== null) text += `.post${v.post}`;
  if (v.dev !== null) text += `.dev${v.dev}`;
  return text;
}

/** `Version.is_prerelease`. */
export function isPrerelease(v: Pep440Version): boolean {
  return v.pre !== null || v.dev !== null;
}
