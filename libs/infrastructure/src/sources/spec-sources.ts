/** One `SourceN:` or `PatchN:` tag of a spec's preambles, its value macro-expanded. */
export interface SpecSource {
  /** As written: `Source1`, `Patch`, `source0`… */
  readonly tag: string;
  readonly value: string;
}

/** A source to download: where from, and the file name rpm will look for in SOURCES. */
export interface UrlSource {
  readonly tag: string;
  readonly url: URL;
  readonly fileName: string;
}

const SOURCE_TAG = /^((?:Source|Patch)\d*)\s*:\s*(.*?)\s*$/i;

/*
 * Section markers that end a preamble. `%package` starts another preamble (a subpackage's), where
 * rpm reads tags again; everything else is body text, where a line such as `Source: …` in a
 * %description is prose, not a tag.
 */
const BODY_SECTION =
  /^%(description|prep|generate_buildrequires|conf|build|install|check|clean|files|changelog|pre|post|preun|postun|pretrans|posttrans|preuntrans|postuntrans|trigger\w*|filetrigger\w*|transfiletrigger\w*|verifyscript|sepolicy|patchlist|sourcelist)\b/;

/** Every `SourceN`/`PatchN` tag of the preambles, in spec order. */
export function specSourceTags(specText: string): SpecSource[] {
  const found: SpecSource[] = [];
  let preamble = true;
  for (const line of specText.split(/\r?\n/)) {
    if (/^%package\b/.test(line)) preamble = true;
    else if (BODY_SECTION.test(line)) preamble = false;
    if (!preamble) continue;
    const match = SOURCE_TAG.exec(line);
    if (match && match[2] !== '') found.push({ tag: match[1]!, value: match[2]! });
  }
  return found;
}

/** Thrown for a source URL this builder will not fetch; the message names the tag and the value. */
export class UrlSourceError extends Error {
  override readonly name = 'UrlSourceError';
}

/**
 * The source as spectool fetches it, or null when it is not a URL (a file of the dist-git).
 * The file name is what rpm looks for in SOURCES: what follows the value's last `/` (so the
 * `…/archive/v1.tar.gz#/name-1.tar.gz` convention names the file `name-1.tar.gz`); the fragment
 * is not sent. Only http and https are fetched; a name that cannot be a plain file is refused.
 */
export function urlSource(source: SpecSource): UrlSource | null {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(source.value)?.[1]?.toLowerCase();
  if (scheme === undefined) return null;
  const where = `${source.tag}: ${source.value}`;
  if (scheme !== 'http' && scheme !== 'https') {
    throw new UrlSourceError(`${where}: only http and https sources are downloaded, not ${scheme}`);
  }
  // `%20` is percent-encoding; `%{x}`, `%(…)` or `%name` is a macro left unexpanded.
  if (/%(?![0-9A-Fa-f]{2})/.test(source.value)) {
    throw new UrlSourceError(`${where}: the URL holds a macro that could not be expanded`);
  }
  let url: URL;
  try {
    url = new URL(source.value);
  } catch {
    throw new UrlSourceError(`${where}: not a valid URL`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new UrlSourceError(`${where}: a URL with credentials is refused`);
  }
  const fileName = source.value.slice(source.value.lastIndexOf('/') + 1);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (fileName === '' || fileName === '.' || fileName === '..' || /[\x00-\x1f\x7f]/.test(fileName)) {
    throw new UrlSourceError(`${where}: no file name after the last "/"`);
  }
  if (Buffer.byteLength(fileName) > 255) throw new UrlSourceError(`${where}: the file name is too long`);
  url.hash = '';
  return { tag: source.tag, url, fileName };
}
