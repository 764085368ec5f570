import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDemoCommits,
  createDemoRepositories,
  writeDemoConfig,
  type DemoPackage,
} from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn } from '../support/cli.js';
import { datadirEvents } from '../support/datadir-events.js';
import { startSmtpServer } from '../support/smtp-server.js';

type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;

function primaryPackages(repoDir: string): string[] {
  const repomd = readFileSync(join(repoDir, 'repodata', 'repomd.xml'), 'utf8');
  const href = /<data type="primary">[\s\S]*?<location href="([^"]+)"/.exec(repomd)![1]!;
  const primary = gunzipSync(readFileSync(join(repoDir, href))).toString('utf8');
  return [...primary.matchAll(/<name>([^<]+)<\/name>/g)].map((m) => m[1]!).sort();
}

function rpmQuery(file: string): string {
  return execFileSync('rpm', ['-qp', '--nosignature', '--queryformat', '%{NAME}|%{VERSION}|%{RELEASE}|%{ARCH}', file], {
    encoding: 'utf8',
  });
}

describe('the build loop through the dlrn CLI, on real git repositories, rpmbuild and SMTP', () => {
  let root: string;
  let smtp: Smtp;
  let packages: DemoPackage[];
  let configFile: string;
  const start = Math.floor(Date.now() / 1000) - 86_400;
  const dlrn = (...args: string[]) =>
    runDlrn(['--config-file', configFile, '--info-repo', join(root, 'rdoinfo'), ...args]);
  const repos = () => join(root, 'data', 'repos');

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-loop-'));
    smtp = await startSmtpServer();
    packages = await createDemoRepositories(root, start);
    // A stand-in for DLRN's submit_review.sh: records its arguments and GERRIT_* environment.
    const scripts = join(root, 'scripts');
    mkdirSync(scripts);
    writeFileSync(
      join(scripts, 'submit_review.sh'),
      `#!/bin/sh\necho "review $* url=$GERRIT_URL log=$GERRIT_LOG to=$GERRIT_MAINTAINERS topic=$GERRIT_TOPIC" >> ${join(root, 'reviews.txt')}\n`,
      { mode: 0o755 },
    );
    configFile = await writeDemoConfig(
      root,
      packages,
      `smtpserver=${smtp.host}:${smtp.port}\ngerrit=review.example.org\nscriptsdir=${scripts}\n`,
    );
  });
  afterAll(async () => {
    await smtp?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  describe('when three packages are seen for the first time', () => {
    it('builds the HEAD of each and publishes a repository holding all of them', async () => {
      const run = await dlrn();
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout.match(/^\[\d\/3\] .* SUCCESS/gm)).toHaveLength(3);
      const current = join(repos(), readlinkSync(join(repos(), 'current')));
      expect(readlinkSync(join(repos(), 'consistent'))).toBe(readlinkSync(join(repos(), 'current')));
      expect(primaryPackages(current)).toEqual([
        'broken-tool',
        'broken-tool',
        'demo-data',
        'demo-data',
        'python-greeting',
        'python-greeting',
      ]);
      const rpm = readdirSync(current).find((f) => f.startsWith('python-greeting') && f.endsWith('.noarch.rpm'))!;
      expect(rpmQuery(join(current, rpm))).toMatch(/^python-greeting\|1\.0\.0\|0\.\d{14}\.[0-9a-f]{7}\.el9\|noarch$/);
      expect(readFileSync(join(current, 'delorean.repo'), 'utf8')).toContain(`baseurl=file://${repos()}/`);
    });
  });

  describe('when new upstream commits arrive and one breaks a package', () => {
    let run: Awaited<ReturnType<typeof dlrn>>;
    beforeAll(async () => {
      await addDemoCommits(packages, start);
      run = await dlrn();
    });

    it('exits 1 with the failure, builds the others', () => {
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/broken-tool [0-9a-f]{7} FAILED/);
      expect(run.stdout.match(/SUCCESS/g)).toHaveLength(2);
    });

    it('mails the maintainers through the SMTP server, as DLRN words it', async () => {
      const [mail] = await smtp.waitForMails(1);
      expect(mail!.envelope.to).toEqual(['packager@example.org']);
      expect(mail!.envelope.from).toBe('no-reply@delorean.com');
      expect(mail!.subject).toBe('[dlrn] broken-tool master package build failed');
      expect(mail!.text).toContain('A build of the package broken-tool has failed against the current master[1] of');
    });

    it('runs the Gerrit review step for the first failure after a success', () => {
      const reviews = readFileSync(join(root, 'reviews.txt'), 'utf8').trim().split('\n');
      expect(reviews).toHaveLength(1);
      expect(reviews[0]).toMatch(
        /^review broken-tool \S+ \S+ file:\/\/\S+ \S+_distro url=file:\/\/\S+broken-tool log=file:\/\/\S+ to=packager@example.org topic=rdo-FTBFS$/,
      );
    });

    it('moves current but holds consistent back', () => {
      const current = readlinkSync(join(repos(), 'current'));
      const consistent = readlinkSync(join(repos(), 'consistent'));
      expect(current).not.toBe(consistent);
      const csv = readFileSync(join(repos(), current, 'versions.csv'), 'utf8');
      expect(csv).toMatch(/^broken-tool,.*,FAILED,/m);
      expect(readFileSync(join(repos(), consistent, 'versions.csv'), 'utf8')).not.toMatch(/FAILED/);
      // the failing package's last good RPM stays in the new repository
      expect(primaryPackages(join(repos(), current))).toContain('broken-tool');
    });

    it('files the failed build log where DLRN does', () => {
      const dirs = readdirSync(repos(), { recursive: true })
        .map(String)
        .filter((p) => p.endsWith('notes.log'));
      expect(dirs).toHaveLength(1);
      const log = readFileSync(join(repos(), dirs[0]!.replace(/notes\.log$/, 'rpmbuild.log')), 'utf8');
      expect(log).toMatch(/BUILD_OK/);
    });

    it('reports each package status with --status', async () => {
      const status = await dlrn('--status');
      expect(status.stdout.split('\n').filter(Boolean)).toEqual([
        '      rpm python-greeting SUCCESS',
        '      rpm demo-data SUCCESS',
        '      rpm broken-tool FAILED',
      ]);
    });
  });

  describe('when nothing changed upstream', () => {
    it('builds nothing, mails nobody and exits 0', async () => {
      const run = await dlrn();
      expect(run.code).toBe(0);
      expect(run.stdout).not.toMatch(/SUCCESS|FAILED/);
      expect(smtp.mails).toHaveLength(1);
    });
  });

  describe('when the failure is rechecked', () => {
    it('builds the same commit again on the next pass, still failing, without a second mail within 24 h', async () => {
      const recheck = await dlrn('--recheck', '--package-name', 'broken-tool');
      expect(recheck.code).toBe(0);
      const run = await dlrn();
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/\[1\/1\] broken-tool .* FAILED/);
      expect(smtp.mails).toHaveLength(1);
      // as in DLRN, the rechecked failure no longer counts: the previous build is the success,
      // so the review step runs again
      expect(readFileSync(join(root, 'reviews.txt'), 'utf8').trim().split('\n')).toHaveLength(2);
    });

    it('refuses to recheck a successful build', async () => {
      const recheck = await dlrn('--recheck', '--package-name', 'demo-data');
      expect(recheck.code).toBe(1);
      expect(recheck.stdout).toMatch(/not possible to recheck a successful commit/);
    });
  });

  it('kept one record per build in the event log: nothing doubled', async () => {
    const events = await datadirEvents(join(root, 'data'));
    const discovered = events.filter((e) => e.type === 'CommitDiscovered').map((e) => e.streamId);
    expect(new Set(discovered).size).toBe(discovered.length);
    expect(discovered).toHaveLength(6);
    expect(events.filter((e) => e.type === 'BuildSucceeded')).toHaveLength(5);
    expect(events.filter((e) => e.type === 'RepoPublished')).toHaveLength(5);
    expect(events.filter((e) => e.type === 'BuildFailed')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'FailureNotified')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'ReviewRequested')).toHaveLength(2);
    expect(existsSync(join(repos(), 'skiplist.txt'))).toBe(true);
  });
});
