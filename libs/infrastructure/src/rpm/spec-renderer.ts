import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { runCommand } from './command.runner.js';

/** What `--order` reads of a spec: rpm's rendering when it could be had, else the file as written. */
export interface RenderedSpec {
  readonly text: string;
  /** True when `rpmspec -P` expanded it; false when `text` is the raw spec. */
  readonly rendered: boolean;
  /** Why it was not rendered (one line), when it was not. */
  readonly reason: string | null;
}

/** Constructs through which expanding a spec runs code: a shell (`%(…)`) or rpm's Lua. */
const RUNS_CODE = /%\(|%\{lua:|^\s*%lua\b/m;

/**
 * DLRN's `--order` reads each spec as `rpmspec -D 'repo_bootstrap 1' -P` prints it, so names
 * built from macros (`python3-%{pkg_name}`, conditionals, parametric macros) are what rpm
 * makes of them. Expanding a spec runs its `%(…)` shell and Lua macros on this host: when the
 * builds themselves are sandboxed (`sandboxed`, the mock driver), a spec holding them is not
 * expanded here and is read as written (DLRN would run them). A spec rpm cannot parse is read
 * as written too, with the reason.
 */
export async function renderSpecForOrdering(
  path: string,
  options: { readonly sandboxed: boolean },
): Promise<RenderedSpec> {
  const raw = await readFile(path, 'utf8');
  if (options.sandboxed && RUNS_CODE.test(raw)) {
    return {
      text: raw,
      rendered: false,
      reason: 'it runs shell or Lua code when expanded, and builds are sandboxed (mock): read as written',
    };
  }
  const lines: Buffer[] = [];
  try {
    const result = await runCommand('rpmspec', ['-D', 'repo_bootstrap 1', '-P', path], {
      env: { PATH: process.env['PATH'], HOME: dirname(path), LANG: 'C' },
      cwd: dirname(path),
      timeoutMs: 30_000,
      captureStdout: true,
      unsupervised: true,
      output: (chunk) => lines.push(chunk),
    });
    if (result.code === 0 && !result.timedOut) return { text: result.stdout, rendered: true, reason: null };
    const why = result.timedOut ? 'timed out' : firstErrorLine(Buffer.concat(lines).toString('utf8'), result.code);
    return { text: raw, rendered: false, reason: `rpmspec -P: ${why}: read as written` };
  } catch (error) {
    return { text: raw, rendered: false, reason: `${(error as Error).message}: read as written` };
  }
}

function firstErrorLine(output: string, code: number | null): string {
  const line = output.split('\n').find((l) => /error/i.test(l)) ?? output.split('\n').find((l) => l.trim() !== '');
  return line?.trim().slice(0, 300) ?? `exited with code ${String(code)}`;
}
