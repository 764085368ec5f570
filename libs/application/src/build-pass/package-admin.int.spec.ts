import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PackageInfo } from '#domain/package/package-info.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { recordBuild, successOutcome } from '../../../../test/support/build-commands.js';
import { commitData, packageInfo } from '../../../../test/support/events.js';
import { BuildHistoryReader } from './build-history.reader.js';
import { recheckPackages, statusLines } from './package-admin.js';

const context = { correlationId: 'admin-1', causationId: null, actor: 'cli:test' };
const FAILED = packageInfo('python-failed');
const BUILT = packageInfo('python-built');
const NEVER = packageInfo('python-never');

/** `dlrn --status` and `dlrn --recheck` on a history where one package failed, one built and one never ran. */
describe('package administration: --status and --recheck', () => {
  let store: SqliteEventStore;
  let commands: DeciderCommandHandler;
  beforeEach(async () => {
    store = new SqliteEventStore(':memory:');
    commands = new DeciderCommandHandler(store, new UuidV7IdGenerator(), new SystemClock());
    const failure = { status: 'failure', notes: 'boom', transientError: null } as const;
    await recordBuild(
      commands,
      {
        commit: commitData({ package: FAILED.name, commitHash: 'a'.repeat(40), distroHash: 'd1' }),
        buildId: 'b-failed',
        now: new Date(),
        outcome: failure,
      },
      context,
    );
    await recordBuild(
      commands,
      {
        commit: commitData({ package: BUILT.name, commitHash: 'b'.repeat(40), distroHash: 'd1' }),
        buildId: 'b-built',
        now: new Date(),
        outcome: successOutcome(BUILT.name, 'b'.repeat(40), 'd1'),
      },
      context,
    );
  });
  afterEach(() => store.close());
  const history = () => new BuildHistoryReader(store).catchUp();
  const recheck = async (packages: PackageInfo[], force = false, allowForceRechecks = false) =>
    recheckPackages({ commands, history: await history(), packages, force, allowForceRechecks, context });

  it('--status gives each package its last status, NO_BUILD for one never built', async () => {
    expect(statusLines(await history(), [FAILED, BUILT, NEVER])).toEqual([
      '      rpm python-failed FAILED',
      '      rpm python-built SUCCESS',
      '      rpm python-never NO_BUILD',
    ]);
  });

  it('--recheck of a failed build: it will be built again, and the next history says so', async () => {
    expect(await recheck([FAILED])).toEqual({
      ok: true,
      messages: [`python-failed: commit ${'a'.repeat(40)} (FAILED) will be built again on the next run`],
    });
    expect((await history()).lastProcessed(FAILED.name)).toBeNull();
  });

  it('--recheck of a package never built fails, with DLRN message, and rechecks the others', async () => {
    expect(await recheck([NEVER, FAILED])).toEqual({
      ok: false,
      messages: [
        'python-never: There are no existing commits or the commit to be rechecked is already marked as RETRY.',
        `python-failed: commit ${'a'.repeat(40)} (FAILED) will be built again on the next run`,
      ],
    });
  });

  it('--recheck of a successful build is refused without --force-recheck, with the reason; with it, done', async () => {
    expect(await recheck([BUILT])).toEqual({
      ok: false,
      messages: ["python-built: It's not possible to recheck a successful commit"],
    });
    expect(await recheck([BUILT], true, true)).toEqual({
      ok: true,
      messages: [`python-built: commit ${'b'.repeat(40)} (SUCCESS) will be built again on the next run`],
    });
  });

  it('a failure of the store itself is not turned into a message', async () => {
    const broken = { handle: () => Promise.reject(new Error('disk I/O error')) } as unknown as DeciderCommandHandler;
    await expect(
      recheckPackages({
        commands: broken,
        history: await history(),
        packages: [FAILED],
        force: false,
        allowForceRechecks: false,
        context,
      }),
    ).rejects.toThrow('disk I/O error');
  });
});
