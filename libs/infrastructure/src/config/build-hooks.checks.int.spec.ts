import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfiguration } from './index.js';
import { FIXTURES } from '../../../../test/support/config-fixtures.js';

const seed = join(FIXTURES, 'seed-flock2017');

function configWith(defaults: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dlrn-hooks-config-'));
  const file = join(dir, 'projects.ini');
  // A hook file that exists but cannot be executed, for `{dir}/prep.sh`.
  writeFileSync(join(dir, 'prep.sh'), '#!/bin/sh\n', { mode: 0o644 });
  const ini = `[DEFAULT]\nbaseurl=http://x/\ntarget=t\nsource=master\ndistro=rpm-master\n${defaults.replace('{dir}', dir)}\n`;
  writeFileSync(file, ini);
  return { dir, file };
}

describe('when rsyncdest or custom_preprocess hold values that cannot run', () => {
  it.each([
    ['rsyncdest=/srv/mirror', 'rsyncdest', 'is not a remote destination: use user@host:path or host:path'],
    ['rsyncdest=mirror::repos', 'rsyncdest', 'rsync daemon destinations are not supported'],
    ['rsyncdest=rsync://mirror/repos', 'rsyncdest', 'rsync daemon destinations are not supported'],
    ['rsyncdest=mirror:/srv/repos;reboot', 'rsyncdest', 'expected user@host:path or host:path'],
    ['rsyncdest=-oProxyCommand=x:/srv', 'rsyncdest', 'expected user@host:path or host:path'],
    ['rsyncdest=user@mirror:-rf', 'rsyncdest', 'expected user@host:path or host:path'],
    ['rsyncport=ssh', 'rsyncport', 'expected an integer'],
    ['rsync_known_hosts=missing_known_hosts', 'rsync_known_hosts', 'missing_known_hosts not found'],
    ['custom_preprocess=/nonexistent/prep.sh', 'custom_preprocess', '/nonexistent/prep.sh not found'],
    ['custom_preprocess={dir}/prep.sh', 'custom_preprocess', '/prep.sh is not executable'],
    ['custom_preprocess=/bin/true,\n  /bin/false', 'custom_preprocess', 'holds a control character'],
  ])('refuses %s, naming the option', async (lines, key, reason) => {
    const { file } = configWith(lines);
    const failure = loadConfiguration({ configFile: file, infoRepo: seed });
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(`${file}: [DEFAULT] ${key}: `);
    await expect(failure).rejects.toThrow(reason);
  });
});

describe('when rsyncdest, rsync_known_hosts and custom_preprocess are well-formed', () => {
  it('loads them: the known-hosts path resolved beside projects.ini, empty hook entries kept for the runner to skip', async () => {
    const { dir, file } = configWith(
      'rsyncdest=builder@mirror.example.org:/srv/repos\nrsyncport=2222\nrsync_known_hosts=known_hosts\ncustom_preprocess=/bin/true,,./scripts/prep.sh,true',
    );
    writeFileSync(join(dir, 'known_hosts'), '');
    const { config } = await loadConfiguration({ configFile: file, infoRepo: seed });
    expect(config.default.rsyncdest).toBe('builder@mirror.example.org:/srv/repos');
    expect(config.default.rsyncport).toBe(2222);
    expect(config.default.rsyncKnownHosts).toBe(join(dir, 'known_hosts'));
    expect(config.default.customPreprocess).toEqual(['/bin/true', '', './scripts/prep.sh', 'true']);
  });

  it('accepts an IPv6 host in brackets and a destination without a user', async () => {
    for (const dest of ['[::1]:/srv/repos', 'mirror:repos']) {
      const { file } = configWith(`rsyncdest=${dest}`);
      const { config } = await loadConfiguration({ configFile: file, infoRepo: seed });
      expect(config.default.rsyncdest).toBe(dest);
    }
  });
});
