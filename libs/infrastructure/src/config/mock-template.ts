import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DlrnConfig } from './ini/dlrn-config.js';

/**
 * With the mock build driver every build starts from `<configdir>/<target>.cfg`. A missing
 * template made every build FAILED (and mailed every maintainer) at DLRN; here it is said before
 * any build: `config check` warns, a pass or a builder refuses to start. Null when there is
 * nothing to say (another driver, or the file is there).
 */
export function missingMockTemplate(config: DlrnConfig): string | null {
  const d = config.default;
  if (d.buildDriverName !== 'mock' || d.target === null) return null;
  const path = join(d.configdir ?? d.scriptsdir, `${d.target}.cfg`);
  if (existsSync(path)) return null;
  return `the mock build driver needs the template ${path} (configdir, target=${d.target}), and it does not exist: every build would fail`;
}

/**
 * What a site coming from DLRN should know about its configuration without it being an error:
 * for now, that `templatedir` (DLRN's Jinja templates) is not read; the built-in pages are used.
 */
export function configurationNotes(config: DlrnConfig): string[] {
  const notes: string[] = [];
  if (config.default.templatedir !== null) {
    notes.push(
      `templatedir=${config.default.templatedir}: DLRN's Jinja templates are not used; the built-in pages and reports are`,
    );
  }
  return notes;
}
