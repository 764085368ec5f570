import { parseSpecReplaceRule, SpecReplaceRuleError } from '#domain/package/spec-replace.js';
import type { DlrnConfig } from './ini/dlrn-config.js';
import { ConfigError } from './shared/config.error.js';

const SECTION = 'downstream_driver';

/**
 * `[downstream_driver]`, checked at load when `pkginfo_driver` is downstream: what DLRN would
 * only trip over at the first package (a replace rule that does not compile, a source git key
 * without its branch, a versions_url it cannot fetch) is refused here, with the key.
 */
export function checkDownstreamDriver(config: DlrnConfig): void {
  if (config.default.pkginfoDriverName !== 'downstream') return;
  const s = config.downstreamDriver;
  const refuse = (key: string, reason: string): never => {
    throw new ConfigError({ file: config.configFileShown, section: SECTION, key, reason });
  };
  for (const url of s.versionsUrl) {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
    if (scheme !== undefined && !['http', 'https', 'file'].includes(scheme)) {
      refuse('versions_url', `${url}: only http://, https://, file:// URLs and local paths are fetched`);
    }
  }
  // DLRN clones the key's URL at branch None, which fails for every package.
  if (s.downstreamSourceGitKey !== null && s.downstreamSourceGitBranch === null) {
    refuse('downstream_source_git_branch', 'is required when downstream_source_git_key is set');
  }
  if (s.downstreamSourceGitKey === null && s.downstreamSourceGitBranch !== null) {
    refuse('downstream_source_git_branch', 'is set but downstream_source_git_key is not');
  }
  // DLRN ignores the rules without use_upstream_spec; an accepted option must do something.
  if (s.downstreamSpecReplaceList.length > 0 && !s.useUpstreamSpec) {
    refuse('downstream_spec_replace_list', 'applies only to the spec copied with use_upstream_spec=true');
  }
  for (const entry of s.downstreamSpecReplaceList) {
    try {
      parseSpecReplaceRule(entry);
    } catch (error) {
      if (!(error instanceof SpecReplaceRuleError)) throw error;
      refuse('downstream_spec_replace_list', error.message.replace(/^downstream_spec_replace_list /, ''));
    }
  }
}
