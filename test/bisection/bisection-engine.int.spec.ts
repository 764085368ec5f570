import { mkdtempSync, rmSync } from 'node:fs';
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { loadConfiguration } from '#infrastructure/config/index.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { BuildPass, type PassReport } from '#application/build-pass/build-pass.js';
import { createBuildLoopDeps } from '#application/build-pass/build-loop.factory.js';
import { DEFAULT_PASS_OPTIONS } from '#application/build-pass/build-loop.types.js';
import { StartBisection } from '#application/bisection/start-bisection.js';
import { BisectionEngine } from '#application/bisection/bisection-engine.js';
import { BuildHistoryReader } from '#application/build-pass/build-history.reader.js';
import {
  commitDemoChange,
  createDemoRepositories,
  writeDemoConfig,
  type DemoPackage,
} from '../../apps/cli/src/demo/demo-example.js';
import { git } from '../support/git-fixtures.js';
import { startSmtpServer } from '../support/smtp-server.js';

/**
 * The engine in process on real adapters (git clones, rpmbuild, the repository publisher, a
 * SQLite event store): bisections started from outside a pass (the API), a step commit that
 * vanished upstream, a step that fails transiently until maxretries, auto_bisect off.
 */
describe('bisection engine, in build passes', () => {
  const start = Math.floor(Date.now() / 1000) - 86_400;
  let root: string;
  let tool: DemoPackage;
  let configFile: string;
  let store: EventStore;
  let at = start + 1000;
  const c: Record<string, string> = {};

  const head = async () => (await git(tool.upstream, ['rev-parse', 'HEAD'])).trim();
  const commit = async (name: string, change: () => Promise<unknown>) => {
    at += 60;
    await commitDemoChange(tool.upstream, name, at, change);
    c[name] = await head();
    return c[name]!;
  };
  const plain = (name: string) => commit(name, () => appendFile(join(tool.upstream, 'history.txt'), `${name}\n`));

  async function pass(
    overrides: string[] = [],
    headOnly = false,
    run: string | null = null,
  ): Promise<{ report: PassReport; log: string[] }> {
    const { config, packages } = await loadConfiguration({
      configFile,
      infoRepo: join(root, 'rdoinfo'),
      overrides,
    });
    const log: string[] = [];
    const deps = createBuildLoopDeps({ config, packages, store, log: (line) => log.push(line) });
    try {
      const report = await new BuildPass(deps).run({ ...DEFAULT_PASS_OPTIONS, headOnly, run });
      return { report, log };
    } finally {
      await deps.close?.();
    }
  }

  async function startByApi(good: string, bad: string) {
    const { config, packages } = await loadConfiguration({ configFile, infoRepo: join(root, 'rdoinfo') });
    const deps = createBuildLoopDeps({ config, packages, store, log: () => undefined });
    return new StartBisection({
      datadir: config.default.datadir,
      packages: async () => packages,
      store,
      commands: deps.commands,
      git: deps.git,
      ids: deps.ids,
    }).start({ package: tool.name, good, bad, trigger: 'api', actor: 'admin' });
  }

  const events = async (streamId?: string): Promise<RecordedEvent[]> =>
    streamId ? store.readStream(streamId) : store.readAll();
  const types = (list: readonly RecordedEvent[]) => list.map((e) => e.type);

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-bisect-int-'));
    const all = await createDemoRepositories(root, start);
    tool = all.find((p) => p.name === 'broken-tool')!;
    // The packaging fails "transiently" (a known DLRN transient error) when upstream ships TRANSIENT.
    const specFile = join(tool.distgit, 'broken-tool.spec');
    const spec = await readFile(specFile, 'utf8');
    await commitDemoChange(tool.distgit, 'Transient failures', start + 500, () =>
      writeFile(
        specFile,
        spec.replace(
          'test -f BUILD_OK',
          // Built at run time: the spec's own text (which the build log may quote) must not match.
          'if [ -f TRANSIENT ]; then echo "Could not $(printf resolve) host: mirror.example.org"; exit 1; fi\ntest -f BUILD_OK',
        ),
      ),
    );
    // No mail server unless a pass sets one (`smtpserver` must be in the file to be overridden).
    configFile = await writeDemoConfig(root, [tool], 'smtpserver=\n');
    // Overrides need the option's section in the file.
    await appendFile(configFile, '[service]\nauto_bisect=true\n');
    const { config } = await loadConfiguration({ configFile, infoRepo: join(root, 'rdoinfo') });
    store = await openEventStore(config.service.eventStoreTarget);
    c['c0'] = await head();
    expect((await pass([], true)).report.exitCode).toBe(0);
    await plain('c1');
    await plain('c2');
    await commit('c3', () => rm(join(tool.upstream, 'BUILD_OK')));
    await plain('c4');
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('with auto_bisect=false, a first failure after a success over unbuilt commits starts nothing', async () => {
    const { report } = await pass(['service.auto_bisect=false'], true);
    expect(report.builds.map((b) => [b.commitHash, b.status])).toEqual([[c['c4'], 'FAILED']]);
    expect(types(await events()).filter((t) => t.startsWith('Bisection'))).toEqual([]);
  });

  it('a bisection started outside a pass (the API) is discovered and built by the next plain pass', async () => {
    const started = await startByApi(c['c0']!.slice(0, 7), c['c4']!);
    expect(started).toMatchObject({
      started: true,
      outcome: 'running',
      candidates: [c['c1'], c['c2'], c['c3'], c['c4']],
    });
    // Nothing discovered yet: the start records the bisection only.
    const before = (await events()).filter((e) => e.type === 'CommitDiscovered');
    // A mail server from now on: c4's failure was never mailed, so a step's failure would be.
    const smtp = await startSmtpServer();
    const { report, log } = await pass([`DEFAULT.smtpserver=${smtp.address}`]).finally(() => smtp.stop());
    expect(smtp.mails).toEqual([]);
    expect((await events()).filter((e) => e.type === 'FailureNotified')).toEqual([]);
    expect(report.exitCode).toBe(0); // no new commit; the steps never set the exit code
    expect(report.builds.map((b) => [b.commitHash, b.status, b.bisectionStep])).toEqual([
      [c['c2'], 'SUCCESS', 1],
      [c['c3'], 'FAILED', 2],
    ]);
    const stream = await events(started.bisectionId);
    expect(types(stream)).toEqual([
      'BisectionStarted',
      'BisectionStepRequested',
      'BisectionStepBuilt',
      'BisectionStepRequested',
      'BisectionStepBuilt',
      'CulpritIdentified',
    ]);
    expect(stream.at(-1)?.data).toMatchObject({ commitHash: c['c3'], lastGoodCommitHash: c['c2'], steps: 2 });
    expect(stream[0]?.metadata).toMatchObject({ actor: 'admin', trigger: 'api' });
    const discovered = (await events()).filter((e) => e.type === 'CommitDiscovered').slice(before.length);
    expect(discovered.map((e) => (e.data as { purpose: unknown }).purpose)).toEqual([
      { kind: 'bisection', bisectionId: started.bisectionId, step: 1 },
      { kind: 'bisection', bisectionId: started.bisectionId, step: 2 },
    ]);
    expect(log.some((line) => line.includes(`culprit ${c['c3']}`))).toBe(true);
  });

  it('starting the same pair again records nothing and answers the outcome', async () => {
    const again = await startByApi(c['c0']!, c['c4']!);
    expect(again).toMatchObject({ started: false, outcome: 'culprit', culprit: c['c3'], position: null });
  });

  it('a start whose good is not on the line of bad is recorded, inconclusive (not_an_ancestor)', async () => {
    const reversed = await startByApi(c['c4']!, c['c1']!);
    expect(reversed).toMatchObject({
      started: true,
      outcome: 'inconclusive',
      reason: 'not_an_ancestor',
      candidates: [],
    });
  });

  it('refuses, recording nothing, what is not a commit of the package', async () => {
    const head = (await store.readAll()).length;
    await expect(startByApi('main', c['c4']!)).rejects.toMatchObject({ code: 'INVALID_COMMIT' });
    await expect(startByApi('0123456789abcdef', c['c4']!)).rejects.toMatchObject({ code: 'UNKNOWN_COMMIT' });
    expect((await store.readAll()).length).toBe(head);
  });

  it('a step whose commit vanished upstream (force-push) ends the bisection vanished_commit', async () => {
    await plain('c5');
    await plain('c6');
    // As bisect.sh's `dlrn --run /bin/true`: the clone fetches them, nothing is built.
    await pass([], false, 'true');
    const started = await startByApi(c['c4']!, c['c6']!);
    expect(started.outcome).toBe('running');
    // Upstream rewinds to c4 and goes on differently: c5 and c6 leave the branch.
    await git(tool.upstream, ['reset', '-q', '--hard', c['c4']!]);
    await plain('c5bis');
    const { report } = await pass();
    expect(report.builds.map((b) => [b.commitHash, b.bisectionStep])).toEqual([[c['c5bis'], undefined]]);
    const stream = await events(started.bisectionId);
    expect(stream.at(-1)).toMatchObject({
      type: 'BisectionInconclusive',
      data: { reason: 'vanished_commit', steps: 0 },
    });
    expect((stream.at(-1)?.data as { detail: string }).detail).toContain(c['c5']);
  });

  it('a step failing transiently until maxretries ends the bisection retries_exhausted', async () => {
    await commit('t1', () => writeFile(join(tool.upstream, 'BUILD_OK'), 'yes\n'));
    await commit('t2', () => writeFile(join(tool.upstream, 'TRANSIENT'), '1\n'));
    await commit('t3', async () => {
      await rm(join(tool.upstream, 'TRANSIENT'));
      await rm(join(tool.upstream, 'BUILD_OK'));
    });
    await plain('t4');
    expect((await pass(['DEFAULT.maxretries=0'], true)).report.builds.map((b) => b.status)).toEqual(['FAILED']);
    const started = await startByApi(c['t1']!, c['t4']!);
    const { report } = await pass(['DEFAULT.maxretries=0']);
    expect(report.builds.map((b) => [b.commitHash, b.status, b.bisectionStep])).toEqual([[c['t2'], 'FAILED', 1]]);
    const stream = await events(started.bisectionId);
    expect(stream.at(-2)).toMatchObject({ type: 'BisectionStepBuilt', data: { verdict: 'skip', status: 'FAILED' } });
    expect(stream.at(-1)).toMatchObject({
      type: 'BisectionInconclusive',
      data: { reason: 'retries_exhausted', steps: 1 },
    });
  });

  it('a failure recorded without its bisection (auto_bisect off then, or a pass stopped in between) is bisected by the next pass', async () => {
    await commit('r1', () => writeFile(join(tool.upstream, 'BUILD_OK'), 'yes\n'));
    expect((await pass([], true)).report.builds.map((b) => b.status)).toEqual(['SUCCESS']);
    await plain('r2');
    await commit('r3', () => rm(join(tool.upstream, 'BUILD_OK')));
    await plain('r4');
    await pass(['service.auto_bisect=false'], true);
    const id = `bisection-${tool.name}@${c['r1']}_${c['r4']}`;
    expect(await events(id)).toEqual([]);
    // A downstream site (pkginfo_driver=downstream) builds versions.csv's pins only: the commits
    // between two pins are not its to bisect, auto_bisect or not.
    const { config, packages } = await loadConfiguration({ configFile, infoRepo: join(root, 'rdoinfo') });
    const downstream = { ...config, default: { ...config.default, pkginfoDriverName: 'downstream' as const } };
    const deps = createBuildLoopDeps({ config: downstream, packages, store, log: () => undefined });
    const context = { correlationId: 'downstream-check', causationId: null, actor: 'test' };
    expect(await new BisectionEngine(deps, new BuildHistoryReader(store)).bisectBreakages(packages, context)).toEqual(
      [],
    );
    expect(await events(id)).toEqual([]);
    const { report } = await pass();
    expect(report.builds.map((b) => [b.commitHash, b.bisectionStep])).toEqual([
      [c['r2'], 1],
      [c['r3'], 2],
    ]);
    const stream = await events(id);
    expect(stream[0]).toMatchObject({ type: 'BisectionStarted', data: { trigger: 'auto' } });
    expect(stream.at(-1)).toMatchObject({ type: 'CulpritIdentified', data: { commitHash: c['r3'], steps: 2 } });
  });
});
