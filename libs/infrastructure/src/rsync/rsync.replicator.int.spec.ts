import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/support/local-sshd.js';
import { RsyncReplicator } from './rsync.replicator.js';

describe('RsyncReplicator', () => {
  let datadir: string;
  const replicator = (port: number, knownHosts: string | null = '/etc/dlrn/known_hosts') =>
    new RsyncReplicator({
      datadir,
      destination: 'root@127.0.0.1:/srv/mirror',
      port,
      knownHosts,
      reponame: 'delorean',
      useComponents: false,
      timeoutMs: 60_000,
    });

  beforeAll(() => {
    datadir = realpathSync(mkdtempSync(join(tmpdir(), 'dlrn-rsync-unit-')));
    mkdirSync(join(datadir, 'repos', 'ab', 'cd', 'abcd_1234'), { recursive: true });
    writeFileSync(join(datadir, 'repos', 'report.html'), '<html/>');
    symlinkSync('ab/cd/abcd_1234', join(datadir, 'repos', 'current'));
  });
  afterAll(() => rmSync(datadir, { recursive: true, force: true }));

  describe('when it builds a push', () => {
    it("passes DLRN's options, host-key checking on, each path rooted at repos/. for -R", () => {
      expect(replicator(2222).argumentsFor([`${datadir}/repos/./ab/cd/abcd_1234`])).toEqual([
        '-avzR',
        '--delete-delay',
        '-e',
        'ssh -p 2222 -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/etc/dlrn/known_hosts -o BatchMode=yes -o ConnectTimeout=60',
        `${datadir}/repos/./ab/cd/abcd_1234`,
        'root@127.0.0.1:/srv/mirror',
      ]);
      expect(replicator(22, null).remoteShell()).toBe(
        'ssh -p 22 -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=60',
      );
    });
  });

  describe('when components are on and the pointers are pushed', () => {
    it("pushes the component's links and the top-level directories first, their aggregate files second", async () => {
      const repos = join(datadir, 'repos');
      // tripleo has a `current` but was never consistent.
      mkdirSync(join(repos, 'component', 'tripleo', 'x'), { recursive: true });
      symlinkSync('x', join(repos, 'component', 'tripleo', 'current'));
      mkdirSync(join(repos, 'consistent'));
      writeFileSync(join(repos, 'consistent', 'delorean.repo'), '');
      writeFileSync(join(repos, 'consistent', 'versions.csv'), '');
      // A stand-in for rsync that records each call's arguments, one line each.
      const calls = join(datadir, 'calls.txt');
      const fake = join(datadir, 'fake-rsync');
      writeFileSync(fake, `#!/bin/sh\necho "$*" >> ${calls}\n`, { mode: 0o755 });
      const components = new RsyncReplicator({
        datadir,
        destination: 'mirror:/srv',
        port: 22,
        knownHosts: null,
        reponame: 'delorean',
        useComponents: true,
        rsync: fake,
      });
      expect(await components.syncPointers('tripleo')).toEqual({ ok: true });
      const shell = 'ssh -p 22 -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=60';
      const root = `${datadir}/repos/.`;
      const excludes = ['consistent', 'current']
        .flatMap((n) => [`${n}/delorean.repo`, `${n}/delorean.repo.md5`, `${n}/versions.csv`])
        .map((file) => `--exclude ${file}`)
        .join(' ');
      expect(readFileSync(calls, 'utf8').trim().split('\n')).toEqual([
        `-avzR --delete-delay -e ${shell} ${excludes} ${root}/component/tripleo/current ${root}/consistent ${root}/current mirror:/srv`,
        `-avzR --delete-delay -e ${shell} ${root}/consistent/delorean.repo ${root}/consistent/versions.csv mirror:/srv`,
      ]);
    });
  });

  describe('when nothing listens on the mirror port', () => {
    it('reports the failed push with the destination, the exit code and ssh’s reason', async () => {
      const result = await replicator(await freePort()).syncRepo('ab/cd/abcd_1234');
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error).toMatch(
        /^Failed to rsync content to root@127\.0\.0\.1:\/srv\/mirror: rsync exited with code \d+/,
      );
      expect(result.error).toContain('Connection refused');
    });

    it('reports a failed push of the pointers the same way, as symlinks', async () => {
      const result = await replicator(await freePort()).syncPointers(null);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/^Failed to rsync symlinks to root@127\.0\.0\.1:\/srv\/mirror/);
    });
  });
});
