import { mkdtempSync, rmSync } from 'node:fs';
import { appendFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitDemoChange, createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { loadProjectsIni } from '#infrastructure/config/index.js';
import { runDlrn } from '../support/cli.js';
import { git, gitTestEnv } from '../support/git-fixtures.js';
import { startLiveApi, type LiveApi } from '../support/live-api.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';

/**
 * The culprit, everywhere it should show, after a real automatic bisection: broken-tool builds,
 * then four upstream commits land (the third breaks it) and a `--head-only` pass builds the head,
 * mails its failure, bisects on its own and, at its end, mails the culprit; the package's status
 * (JSON and page) names it and `GET /api/bisect` shows how each commit was built.
 */
describe('the culprit of a real breakage: mails, package status, page and bisect history', () => {
  gitTestEnv();
  const root = mkdtempSync(join(tmpdir(), 'dlrn-culprit-'));
  const hashes: string[] = [];
  let smtp: TestSmtpServer;
  let pass: Awaited<ReturnType<typeof runDlrn>>;
  let live: LiveApi;
  let base: string;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    const start = Math.floor(Date.now() / 1000) - 86_400;
    const tool = (await createDemoRepositories(root, start)).find((p) => p.name === 'broken-tool')!;
    const configFile = await writeDemoConfig(root, [tool], `smtpserver=${smtp.address}\n`);
    const dlrn = (...args: string[]) =>
      runDlrn([...args, '--config-file', configFile, '--info-repo', join(root, 'rdoinfo')]);
    expect((await dlrn('--head-only')).code).toBe(0);
    hashes.push((await git(tool.upstream, ['rev-parse', 'HEAD'])).trim());
    for (let n = 1; n <= 4; n++) {
      const change =
        n === 3
          ? () => rm(join(tool.upstream, 'BUILD_OK'))
          : () => appendFile(join(tool.upstream, 'history.txt'), `${n}\n`);
      await commitDemoChange(
        tool.upstream,
        n === 3 ? 'Drop BUILD_OK (breaks the build)' : `change ${n}`,
        start + 1000 + n * 60,
        change,
      );
      hashes.push((await git(tool.upstream, ['rev-parse', 'HEAD'])).trim());
    }
    pass = await dlrn('--head-only');
    live = await startLiveApi(loadProjectsIni(configFile), { logLevel: 'silent' });
    base = live.base;
  }, 180_000);

  afterAll(async () => {
    await live?.close();
    await smtp?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('mails the failure, then the culprit found after it, to the same maintainers, once', async () => {
    expect(pass.code, pass.stderr).toBe(1);
    const mails = await smtp.waitForMails(2);
    expect(mails.map((m) => m.subject)).toEqual([
      '[dlrn] broken-tool master package build failed',
      `[dlrn] broken-tool culprit identified: ${hashes[3]!.slice(0, 12)}`,
    ]);
    expect(mails[1]!.envelope.to).toEqual(mails[0]!.envelope.to);
    expect(mails[1]!.text).toContain(`the first bad commit is\n\n  ${hashes[3]}`);
    expect(mails[1]!.text).toContain(`The last good commit before it is ${hashes[2]}.`);
    expect(pass.stdout).toContain('mailed the culprit of broken-tool');
  });

  it("names the culprit on the package's status, as JSON and on the status page", async () => {
    const pkg = (await (await fetch(`${base}/api/packages/broken-tool`)).json()) as Record<string, unknown>;
    expect(pkg).toMatchObject({
      status: 'FAILED',
      last_build: { commit_hash: hashes[4] },
      bisection: {
        state: 'culprit',
        good_commit_hash: hashes[0],
        bad_commit_hash: hashes[4],
        candidates: 4,
        culprit: { commit_hash: hashes[3], last_good_commit_hash: hashes[2] },
      },
    });
    const page = await (await fetch(`${base}/api/status_report.html`)).text();
    expect(page).toContain(`culprit: <span class="mono">`);
    expect(page).toContain(`>${hashes[3]}</a></span> (`);
  });

  it('shows in GET /api/bisect which commits the bisection built and how', async () => {
    const response = await fetch(`${base}/api/bisect?package=broken-tool&good=${hashes[0]}&bad=${hashes[4]}`);
    const body = (await response.json()) as {
      commits: { commit_hash: string; verdict: string; builds: { purpose: string; bisection_step: number | null }[] }[];
      last_known_good: string;
      first_known_bad: string;
      unbuilt_between: number;
      bisection: { state: string };
    };
    expect(response.status).toBe(200);
    expect(body.first_known_bad).toBe(hashes[3]);
    expect(body.last_known_good).toBe(hashes[2]);
    expect(body.unbuilt_between).toBe(0);
    const built = body.commits.filter((c) => c.verdict !== 'unbuilt');
    expect(built.length).toBeGreaterThanOrEqual(3);
    for (const commit of built.filter((c) => c.commit_hash !== hashes[4])) {
      expect(commit.builds.every((b) => b.purpose === 'bisection' && b.bisection_step !== null)).toBe(true);
    }
    expect(body.bisection.state).toBe('culprit');
  });
});
