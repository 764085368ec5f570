import { statSync } from 'node:fs';
import { customPreprocessProblem } from '../preprocess/custom-preprocess.js';
import { knownHostsPathProblem, rsyncDestinationProblem } from '../rsync/rsync-destination.js';
import type { DlrnConfig } from './ini/dlrn-config.js';
import { DEFAULT_SECTION } from './ini/ini.scanner.js';
import { ConfigError } from './shared/config.error.js';

/**
 * `rsyncdest`, `rsync_known_hosts` and `custom_preprocess`, checked at load: values that
 * would reach rsync, ssh or a hook's exec are refused with the key, not at the first build.
 */
export function checkBuildHooks(config: DlrnConfig): void {
  const d = config.default;
  const refuse = (key: string, reason: string): never => {
    throw new ConfigError({ file: config.configFileShown, section: DEFAULT_SECTION, key, reason });
  };
  if (d.rsyncdest !== '') {
    const problem = rsyncDestinationProblem(d.rsyncdest);
    if (problem !== null) refuse('rsyncdest', problem);
  }
  if (d.rsyncKnownHosts !== null) {
    const problem = knownHostsPathProblem(d.rsyncKnownHosts);
    if (problem !== null) refuse('rsync_known_hosts', problem);
    let isFile = false;
    try {
      isFile = statSync(d.rsyncKnownHosts).isFile();
    } catch {
      refuse('rsync_known_hosts', `${d.rsyncKnownHosts} not found`);
    }
    if (!isFile) refuse('rsync_known_hosts', `${d.rsyncKnownHosts} is not a file`);
  }
  for (const command of d.customPreprocess) {
    if (command === '') continue; // DLRN skips empty entries (a trailing comma)
    const problem = customPreprocessProblem(command);
    if (problem !== null) refuse('custom_preprocess', problem);
  }
}
