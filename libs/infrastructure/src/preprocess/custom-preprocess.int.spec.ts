import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../../test/support/wait-for.js';
import { BuildLog } from '../rpm/build-log.js';
import { CustomPreprocess, CustomPreprocessError, type PreprocessRequest } from './custom-preprocess.js';

describe('custom_preprocess hooks run as DLRN runs them', () => {
  let root: string;
  let distgit: string;
  let log: BuildLog;
  const request = (): PreprocessRequest => ({
    packageName: 'python-foo',
    distgitDir: distgit,
    sourceDir: join(root, 'python-foo'),
    commitHash: 'a'.repeat(40),
    releaseDate: '20260102030405',
    releaseNumbering: '0.date.hash',
    releaseMinor: '0',
    mockConfig: null,
    upstreamDistgitDir: join(root, 'python-foo_distro_upstream'),
    log,
  });
  const hook = (name: string, body: string): string => {
    const path = join(root, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return path;
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-preprocess-'));
    distgit = join(root, 'python-foo_distro');
    mkdirSync(distgit);
    log = BuildLog.open(join(root, 'rpmbuild.log'));
  });
  afterAll(() => {
    log.close();
    rmSync(root, { recursive: true, force: true });
  });

  describe('when a hook dumps its environment', () => {
    it('sees DLRN variables only, runs in the dist-git, and its output lands in the build log', async () => {
      let dump: string;
      process.env.DLRN_TEST_SECRET = 'must-not-leak';
      try {
        dump = hook('dump.sh', `echo dumping; pwd > ${root}/cwd.txt; /usr/bin/env > ${root}/env.txt`);
        await new CustomPreprocess({ commands: [dump], user: 'builder', distroinfoRepo: '/info/rdo.yml' }).run(
          request(),
        );
      } finally {
        delete process.env.DLRN_TEST_SECRET;
      }
      const env = Object.fromEntries(
        readFileSync(join(root, 'env.txt'), 'utf8')
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      // PWD (and with some shells SHLVL, OLDPWD, _) are the shell's own; the rest is what DLRN hands a hook.
      const shells = new Set(['PWD', 'SHLVL', 'OLDPWD', '_']);
      const given = Object.fromEntries(Object.entries(env).filter(([key]) => !shells.has(key)));
      expect(env.PWD).toBe(distgit);
      expect(given).toEqual({
        LANG: 'C',
        RELEASE_DATE: '20260102030405',
        RELEASE_MINOR: '0',
        RELEASE_NUMBERING: '0.date.hash',
        DLRN_PACKAGE_NAME: 'python-foo',
        DLRN_DISTGIT: distgit,
        DLRN_SOURCEDIR: join(root, 'python-foo'),
        DLRN_SOURCE_COMMIT: 'a'.repeat(40),
        DLRN_USER: 'builder',
        DLRN_DISTROINFO_REPO: '/info/rdo.yml',
      });
      expect(readFileSync(join(root, 'cwd.txt'), 'utf8').trim()).toBe(distgit);
      expect(readFileSync(join(root, 'rpmbuild.log'), 'utf8')).toContain(`Running custom pre-process: ${dump}\n`);
      expect(readFileSync(join(root, 'rpmbuild.log'), 'utf8')).toContain('dumping\n');
    });
  });

  describe('when the package source is downstream', () => {
    it('also gives the hooks DLRN_DATADIR and DLRN_UPSTREAM_DISTGIT, as DLRN does', () => {
      const env = new CustomPreprocess({ commands: ['true'], user: null, downstreamDatadir: root }).environment(
        request(),
      );
      expect(env.DLRN_DATADIR).toBe(root);
      expect(env.DLRN_UPSTREAM_DISTGIT).toBe(join(root, 'python-foo_distro_upstream'));
      expect(new CustomPreprocess({ commands: ['true'], user: null }).environment(request())).not.toHaveProperty(
        'DLRN_DATADIR',
      );
    });
  });

  describe('when a hook is named relative to the dist-git, or by a bare name', () => {
    it('runs ./<path> from the dist-git directory and finds `true` in /usr/bin:/bin', async () => {
      writeFileSync(join(distgit, 'local-hook.sh'), `#!/bin/sh\ntouch ${root}/local-ran\n`, { mode: 0o755 });
      await new CustomPreprocess({ commands: ['./local-hook.sh', '', 'true'], user: null }).run(request());
      expect(readFileSync(join(root, 'local-ran'), 'utf8')).toBe('');
    });
  });

  describe('when the second hook fails', () => {
    it("fails with DLRN's text, the hook, its exit code and its output, and runs no later hook", async () => {
      const first = hook('first.sh', `touch ${root}/first-ran`);
      const failing = hook('failing.sh', 'echo "patch does not apply" >&2; exit 3');
      const never = hook('never.sh', `touch ${root}/never-ran`);
      const run = new CustomPreprocess({ commands: [first, failing, never], user: null }).run(request());
      await expect(run).rejects.toBeInstanceOf(CustomPreprocessError);
      await expect(run).rejects.toThrow(
        `Custom pre-process failed: ${failing} exited with code 3: patch does not apply`,
      );
      expect(() => readFileSync(join(root, 'never-ran'))).toThrow();
      expect(readFileSync(join(root, 'first-ran'), 'utf8')).toBe('');
    });

    it('names a bare program that is nowhere to be found', async () => {
      const run = new CustomPreprocess({ commands: ['no-such-dlrn-hook'], user: null }).run(request());
      await expect(run).rejects.toThrow('Custom pre-process failed: no-such-dlrn-hook: not found in /bin or /usr/bin');
    });
  });

  describe('when a hook runs past its time limit', () => {
    it('is killed, with what it started, and the build fails naming the limit', async () => {
      const slow = hook('slow.sh', `sleep 30 & echo $! > ${root}/child.pid; wait`);
      const run = new CustomPreprocess({ commands: [slow], user: null, timeoutMs: 500 }).run(request());
      await expect(run).rejects.toThrow(`Custom pre-process failed: ${slow} timed out after 0.5 s and was killed`);
      const child = Number(readFileSync(join(root, 'child.pid'), 'utf8'));
      // Gone once reaped (a zombie still answers signal 0 for a moment).
      const alive = () => {
        try {
          process.kill(child, 0);
          return true;
        } catch {
          return false;
        }
      };
      await waitFor(async () => (alive() ? undefined : true), 10_000);
      expect(alive()).toBe(false);
    });
  });
});
