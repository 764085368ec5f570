import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface MockConfigSources {
  /** `<configdir>/<target>.cfg`. */
  readonly templatePath: string;
  /** `<datadir>/repos/current/<reponame>.repo`: packages already built serve as build deps. */
  readonly currentRepoPath: string;
  /** `deps_url`, or `<baseurl>/delorean-deps.repo`; null when neither is configured. */
  readonly depsUrl: string | null;
  /**
   * `--use-public` and `--dev`: `<baseurl>/current/delorean.repo`, added last; unlike the deps
   * repo, one that cannot be fetched fails the build (DLRN raises). Null: not added.
   */
  readonly publicRepoUrl?: string | null;
  readonly workerId: number;
  readonly fetchTimeoutMs: number;
}

const CLOSING = '"""';

/** Inserts lines just before the last line that closes the dnf/yum config string. */
function insertBeforeClosing(lines: readonly string[], added: readonly string[], templatePath: string): string[] {
  const closing = lines.findLastIndex((line) => line.trim() === CLOSING);
  if (closing < 0) {
    throw new Error(`mock configuration ${templatePath} has no line closing the repository list with """`);
  }
  return [...lines.slice(0, closing), ...added, ...lines.slice(closing)];
}

/** `config_opts['root'] = 'centos-stream-9-x86_64'` → `…-x86_64-<worker>'`: one chroot per worker. */
function suffixRoot(line: string, workerId: number): string {
  if (!/^config_opts\[['"]root['"]\]/.test(line)) return line;
  return line.replace(/(['"])(\s*)$/, `-${workerId}$1$2`);
}

async function fetchText(url: string, timeoutMs: number): Promise<string> {
  if (url.startsWith('file://')) return readFile(fileURLToPath(url), 'utf8');
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}

function lines(text: string): string[] {
  return text.replace(/\n$/, '').split('\n');
}

/*
 * A mock configuration is Python that mock executes with its privileges, and the repository
 * files land inside its `"""` string: a `"""` would end the string and make the rest code, and a
 * backslash is an escape there. Repository files (INI) need neither, so a file holding one is
 * refused rather than inserted.
 */
const PYTHON_STRING_BREAKERS = /"""|\\|\0/;

function repoLines(text: string, origin: string): string[] {
  const found = PYTHON_STRING_BREAKERS.exec(text);
  if (found) {
    throw new Error(
      `${origin} holds ${JSON.stringify(found[0])}, which would break out of the mock configuration's repository list: refused`,
    );
  }
  return lines(text);
}

/**
 * DLRN's mock configuration (build_rpm_wrapper): the target template, plus the current repo's
 * `.repo` lines and the deps repo before the closing `"""`, with the chroot root suffixed by the
 * worker id. Returns the text and the warnings to log (an unreachable deps repo is only a warning).
 */
export async function assembleMockConfig(
  sources: MockConfigSources,
): Promise<{ readonly text: string; readonly warnings: string[] }> {
  const warnings: string[] = [];
  let template: string;
  try {
    template = await readFile(sources.templatePath, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read the mock configuration template ${sources.templatePath}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  let config = lines(template);
  if (existsSync(sources.currentRepoPath)) {
    const repo = repoLines(await readFile(sources.currentRepoPath, 'utf8'), sources.currentRepoPath);
    config = insertBeforeClosing(config, repo, sources.templatePath);
  }
  config = config.map((line) => suffixRoot(line, sources.workerId));
  if (sources.depsUrl === null) {
    warnings.push('WARNING: neither deps_url nor baseurl is set: no dependency repository in the mock configuration');
  } else {
    let deps: string | null = null;
    try {
      deps = await fetchText(sources.depsUrl, sources.fetchTimeoutMs);
    } catch (error) {
      warnings.push(
        `WARNING: Could not open ${sources.depsUrl} (${(error as Error).message}). If some dependent repositories ` +
          'must be included in the mock then check the baseurl and deps_url values in projects.ini, and make ' +
          'sure the file can be downloaded.',
      );
    }
    // Unreachable is only a warning, as in DLRN; reachable but hostile fails the build.
    if (deps !== null) config = insertBeforeClosing(config, repoLines(deps, sources.depsUrl), sources.templatePath);
  }
  const publicUrl = sources.publicRepoUrl ?? null;
  if (publicUrl !== null) {
    let current: string;
    try {
      current = await fetchText(publicUrl, sources.fetchTimeoutMs);
    } catch (error) {
      throw new Error(
        `Could not open ${publicUrl} (${(error as Error).message}) for --use-public/--dev. Check the baseurl ` +
          'value in projects.ini, and make sure the file can be downloaded.',
        { cause: error },
      );
    }
    config = insertBeforeClosing(config, repoLines(current, publicUrl), sources.templatePath);
  }
  return { text: `${config.join('\n')}\n`, warnings };
}

/**
 * Writes `<datadir>/dlrn-<worker>.cfg` only when its content changes: mock rebuilds its chroot
 * cache whenever the configuration file is newer. Returns whether the file was written.
 */
export async function writeMockConfigIfChanged(path: string, text: string): Promise<boolean> {
  const current = await readFile(path, 'utf8').catch(() => null);
  if (current === text) return false;
  await writeFile(`${path}.new`, text);
  await rename(`${path}.new`, path);
  return true;
}

/** `<datadir>/dlrn-<worker>.cfg`, DLRN's per-worker file name (also exported as MOCK_CONFIG). */
export function mockConfigName(workerId: number): string {
  return `dlrn-${workerId}.cfg`;
}

export function mockConfigPath(datadir: string, workerId: number): string {
  return join(datadir, mockConfigName(workerId));
}
