import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { appendFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commitDemoChange,
  createDemoRepositories,
  writeDemoConfig,
  type DemoPackage,
} from '../../apps/cli/src/demo/demo-example.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { runDlrn } from '../support/cli.js';
import { datadirEvents } from '../support/datadir-events.js';
import { git } from '../support/git-fixtures.js';
import { startSmtpServer } from '../support/smtp-server.js';

type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;

/**
 * One demo package (broken-tool: its %build needs BUILD_OK, its %install needs tool.sh) in a
 * directory of its own, with a helper to commit upstream changes at given times.
 */
async function toolSite(start: number, extraDefaults = '') {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-bisect-'));
  const all = await createDemoRepositories(root, start);
  const tool = all.find((p) => p.name === 'broken-tool') as DemoPackage;
  const configFile = await writeDemoConfig(root, [tool], extraDefaults);
  const dlrn = (...args: string[]) =>
    runDlrn([...args, '--config-file', configFile, '--info-repo', join(root, 'rdoinfo')]);
  const repos = join(root, 'data', 'repos');
  let at = start + 1000;
  /** Commits `change` upstream and returns the new commit's full hash. */
  const commit = async (message: string, change: () => Promise<unknown> = async () => undefined) => {
    at += 60;
    await commitDemoChange(tool.upstream, message, at, change);
    return (await git(tool.upstream, ['rev-parse', 'HEAD'])).trim();
  };
  /** A commit that only adds a line to a file: builds as well (or as badly) as its parent. */
  const plain = (n: number) => commit(`change ${n}`, () => appendFile(join(tool.upstream, 'history.txt'), `${n}\n`));
  const events = (): Promise<RecordedEvent[]> => datadirEvents(join(root, 'data'));
  return { root, tool, dlrn, repos, commit, plain, events };
}

const ofType = (events: readonly RecordedEvent[], type: string) => events.filter((e) => e.type === type);
const data = (event: RecordedEvent | undefined) => event?.data as Record<string, unknown>;

describe('automatic bisection, on real git histories and real rpmbuild builds', () => {
  const start = Math.floor(Date.now() / 1000) - 86_400;

  describe('when a package breaks at commit 6 of 8 and --head-only builds only the head', () => {
    let site: Awaited<ReturnType<typeof toolSite>>;
    let smtp: Smtp;
    let hashes: string[];
    let firstRepo: string;
    let pass2: Awaited<ReturnType<typeof runDlrn>>;

    beforeAll(async () => {
      smtp = await startSmtpServer();
      site = await toolSite(start, `smtpserver=${smtp.host}:${smtp.port}\n`);
      const first = await site.dlrn('--head-only');
      expect(first.code, first.stderr).toBe(0);
      firstRepo = readlinkSync(join(site.repos, 'current'));
      hashes = [(await git(site.tool.upstream, ['rev-parse', 'HEAD'])).trim()];
      for (let n = 1; n <= 8; n++) {
        hashes.push(
          n === 6
            ? await site.commit('Drop BUILD_OK (breaks the build)', () => rm(join(site.tool.upstream, 'BUILD_OK')))
            : await site.plain(n),
        );
      }
      pass2 = await site.dlrn('--head-only');
    }, 120_000);
    afterAll(async () => {
      await smtp?.stop();
      if (site) rmSync(site.root, { recursive: true, force: true });
    });

    it('builds the head, sees it fail, and bisects on its own to commit 6 in ⌈log2 8⌉ = 3 step builds', async () => {
      expect(pass2.stderr).toBe('');
      expect(pass2.code).toBe(1); // the head failed; the steps never set the exit code
      expect(pass2.stdout).toMatch(new RegExp(`broken-tool ${hashes[8]!.slice(0, 7)} FAILED`));
      expect(pass2.stdout.match(/\(bisection step \d\)/g)).toHaveLength(3);
      const events = await site.events();
      const [started] = ofType(events, 'BisectionStarted');
      expect(data(started)).toMatchObject({
        package: 'broken-tool',
        trigger: 'auto',
        candidates: hashes.slice(1),
        good: { commitHash: hashes[0] },
        bad: { commitHash: hashes[8] },
      });
      const culprits = ofType(events, 'CulpritIdentified');
      expect(culprits).toHaveLength(1);
      expect(data(culprits[0])).toMatchObject({
        commitHash: hashes[6],
        lastGoodCommitHash: hashes[5],
        steps: 3,
      });
      expect(ofType(events, 'BisectionStepBuilt').map((e) => [data(e)['commitHash'], data(e)['verdict']])).toEqual([
        [hashes[4], 'good'],
        [hashes[6], 'bad'],
        [hashes[5], 'good'],
      ]);
      // Each step is a real build stream with a bisection purpose.
      const steps = ofType(events, 'CommitDiscovered').filter(
        (e) => (data(e)['purpose'] as { kind: string }).kind === 'bisection',
      );
      expect(steps.map((e) => data(e)['commitHash'])).toEqual([hashes[4], hashes[6], hashes[5]]);
      // Each step's result is logged as the pass records it.
      expect(pass2.stdout.split('\n').filter((line) => line.includes(': bisection step '))).toEqual([
        `broken-tool: bisection step 1/3: ${hashes[4]} SUCCESS (good)`,
        `broken-tool: bisection step 2/3: ${hashes[6]} FAILED (bad)`,
        `broken-tool: bisection step 3/3: ${hashes[5]} SUCCESS (good)`,
      ]);
    });

    it('never moves current or consistent for a step, even a successful one', async () => {
      expect(readlinkSync(join(site.repos, 'current'))).toBe(firstRepo);
      expect(readlinkSync(join(site.repos, 'consistent'))).toBe(firstRepo);
      const events = await site.events();
      expect(ofType(events, 'CurrentMoved')).toHaveLength(1);
      expect(ofType(events, 'ConsistentMoved')).toHaveLength(1);
      // The two good steps did publish their own repositories.
      expect(ofType(events, 'RepoPublished')).toHaveLength(3);
    });

    // A step's failure here would be throttled anyway (one mail a day): that steps never mail is
    // shown where no mail went before them, in test/bisection/bisection-engine.int.spec.ts.
    it('sends one failure mail, for the head', async () => {
      const events = await site.events();
      expect(ofType(events, 'FailureNotified')).toHaveLength(1);
      const failureMails = smtp.mails.filter(
        (mail) => mail.subject === '[dlrn] broken-tool master package build failed',
      );
      expect(failureMails).toHaveLength(1);
    });

    it('does not bisect again on the next pass (one bisection per package and good/bad)', async () => {
      const again = await site.dlrn('--head-only');
      expect(again.stdout).not.toMatch(/bisection step/);
      expect(ofType(await site.events(), 'BisectionStarted')).toHaveLength(1);
    });

    it('dlrn bisect by hand (prefixes) reuses the builds it can, builds the rest, prints each step and the culprit', async () => {
      // good c0, bad c7 (never built): candidates c1..c7; midpoints c3 (built now), c5 and c6 (built).
      const run = await site.dlrn('bisect', 'broken-tool', hashes[0]!.slice(0, 8), hashes[7]!.slice(0, 12));
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines.at(-1)).toBe(hashes[6]);
      expect(lines.filter((line) => line.startsWith('step '))).toEqual([
        `step 1/3: ${hashes[3]} SUCCESS (good)`,
        `step 2/3: ${hashes[5]} SUCCESS (good)`,
        `step 3/3: ${hashes[6]} FAILED (bad)`,
      ]);
      expect(run.stdout.match(/\(bisection step \d\)/g)).toHaveLength(1);
      const events = await site.events();
      const started = ofType(events, 'BisectionStarted').map(data);
      expect(started.at(-1)).toMatchObject({ trigger: 'cli', bad: { commitHash: hashes[7], buildId: null } });
      // The step it built (c3) is recorded as the command line's work.
      expect(ofType(events, 'BuildClaimed').at(-1)!.metadata.trigger).toBe('cli');
    });

    it('dlrn bisect refuses what is not a commit of the package, exit 1', async () => {
      const run = await site.dlrn('bisect', 'broken-tool', 'HEAD~1', hashes[7]!);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^dlrn: error: broken-tool: 'HEAD~1' is not a commit hash or hash prefix/);
      const unknown = await site.dlrn('bisect', 'no-such-package', hashes[0]!, hashes[7]!);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toBe("dlrn: error: unknown package 'no-such-package'\n");
    });
  });

  describe('when two packages break and --stop passes leave both bisections waiting', () => {
    it('a --stop pass builds no step; dlrn bisect of one package builds its steps only', async () => {
      const root = mkdtempSync(join(tmpdir(), 'dlrn-bisect-two-'));
      try {
        const all = await createDemoRepositories(root, start);
        const tool = all.find((p) => p.name === 'broken-tool')!;
        const colors = all.find((p) => p.name === 'demo-data')!;
        const configFile = await writeDemoConfig(root, [colors, tool]);
        const dlrn = (...args: string[]) =>
          runDlrn([...args, '--config-file', configFile, '--info-repo', join(root, 'rdoinfo')]);
        const first = await dlrn('--head-only');
        expect(first.code, first.stderr).toBe(0);
        let at = start + 1000;
        /** Three commits, the second breaking the build; their hashes, the good head first. */
        const breakIn = async (pkg: DemoPackage, breaking: () => Promise<unknown>) => {
          const hashes = [(await git(pkg.upstream, ['rev-parse', 'HEAD'])).trim()];
          for (const change of [
            () => appendFile(join(pkg.upstream, 'a.txt'), 'a\n'),
            breaking,
            () => appendFile(join(pkg.upstream, 'b.txt'), 'b\n'),
          ]) {
            await commitDemoChange(pkg.upstream, 'change', (at += 60), change);
            hashes.push((await git(pkg.upstream, ['rev-parse', 'HEAD'])).trim());
          }
          return hashes;
        };
        const toolHashes = await breakIn(tool, () => rm(join(tool.upstream, 'BUILD_OK')));
        await breakIn(colors, () => rm(join(colors.upstream, 'data', 'colors.txt')));
        // Each --stop pass ends at its first failure: one package's head each, no bisection step.
        for (const pass of [await dlrn('--head-only', '--stop'), await dlrn('--head-only', '--stop')]) {
          expect(pass.code).toBe(1);
          expect(pass.stdout).not.toMatch(/bisection step/);
        }
        const waiting = ofType(await datadirEvents(join(root, 'data')), 'BisectionStarted').map(data);
        expect(waiting.map((b) => b['package']).sort()).toEqual(['broken-tool', 'demo-data']);

        const run = await dlrn('bisect', 'broken-tool', toolHashes[0]!, toolHashes[3]!);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout.trim().split('\n').at(-1)).toBe(toolHashes[2]);
        const stepsOf = async (name: string) =>
          ofType(await datadirEvents(join(root, 'data')), 'CommitDiscovered').filter(
            (e) => data(e)['package'] === name && (data(e)['purpose'] as { kind: string }).kind === 'bisection',
          );
        expect(await stepsOf('broken-tool')).not.toHaveLength(0);
        expect(await stepsOf('demo-data')).toHaveLength(0);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }, 180_000);
  });

  describe('when the first midpoint fails for another reason than the head', () => {
    let site: Awaited<ReturnType<typeof toolSite>>;
    let hashes: string[];
    let pass2: Awaited<ReturnType<typeof runDlrn>>;

    beforeAll(async () => {
      site = await toolSite(start);
      const first = await site.dlrn('--head-only');
      expect(first.code, first.stderr).toBe(0);
      hashes = [(await git(site.tool.upstream, ['rev-parse', 'HEAD'])).trim()];
      // c1; c2 drops tool.sh (%install fails); c3 restores it and drops BUILD_OK (%build fails); c4.
      hashes.push(await site.plain(1));
      hashes.push(await site.commit('Drop tool.sh', () => rm(join(site.tool.upstream, 'tool.sh'))));
      hashes.push(
        await site.commit('Restore tool.sh, drop BUILD_OK', async () => {
          await git(site.tool.upstream, ['checkout', '-q', hashes[1]!, '--', 'tool.sh']);
          await rm(join(site.tool.upstream, 'BUILD_OK'));
        }),
      );
      hashes.push(await site.plain(4));
      pass2 = await site.dlrn('--head-only');
    }, 120_000);
    afterAll(() => {
      if (site) rmSync(site.root, { recursive: true, force: true });
    });

    it('ends BisectionInconclusive different_failure after that one step, naming it', async () => {
      expect(pass2.code).toBe(1);
      const events = await site.events();
      expect(ofType(events, 'BisectionStepBuilt').map(data)).toEqual([
        expect.objectContaining({ commitHash: hashes[2], status: 'FAILED', verdict: 'skip', step: 1 }),
      ]);
      expect(ofType(events, 'CulpritIdentified')).toHaveLength(0);
      const [end] = ofType(events, 'BisectionInconclusive');
      expect(data(end)).toMatchObject({ reason: 'different_failure', steps: 1 });
      expect(data(end)['detail']).toContain(hashes[2]);
      expect(pass2.stdout).toMatch(/bisection inconclusive \(different_failure\)/);
    });

    it('dlrn bisect on the same pair says why there is no culprit, exit 1', async () => {
      const run = await site.dlrn('bisect', 'broken-tool', hashes[0]!, hashes[4]!);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^dlrn: error: no culprit: different_failure: step 1: /);
      expect(run.stdout).toContain(`step 1/2: ${hashes[2]} FAILED (skip)`);
    });
  });
});
