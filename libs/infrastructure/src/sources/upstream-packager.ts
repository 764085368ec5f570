import { accessSync, constants } from 'node:fs';
import { readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { rpmFileName, rpmUpstreamVersion } from '#domain/build/rpm-values.js';
import type { BuildLog } from '../rpm/build-log.js';
import { type ChildEnv, runChecked, runCommand } from '../rpm/command.runner.js';
import { CHROOT_SOURCE_DIR, type UpstreamChroot } from '../rpm/mock-chroot.js';

/** How build_srpm.sh makes the tarball of an upstream other than a plain git tree. */
export type UpstreamKind = 'python' | 'gem';

export interface UpstreamPackagerOptions {
  /** Default `/usr/bin/python3` when it exists (where python3-pbr installs), else `python3`. */
  readonly python?: string;
  readonly ruby?: string;
  readonly gem?: string;
  readonly git?: string;
}

export interface UpstreamContext {
  readonly sourceDir: string;
  readonly commit: string;
  /** A fresh directory of the build's own (the clean copy goes in it). */
  readonly workDir: string;
  readonly env: ChildEnv;
  readonly log: BuildLog;
  readonly timeoutMs: number;
  /**
   * Where upstream code runs: absent, on this host; otherwise the driver's sandbox for the clean
   * copy (mock's chroot), or null from it when the driver has none (then: `git archive`).
   */
  readonly sandbox?: (upstreamCopy: string) => Promise<UpstreamChroot | null>;
  /** rdoinfo's `version-from`: DLRN's fake merge of that ref, made in the copy, so its tags count. */
  readonly versionFrom?: string | null;
}

/** The tarball made, in SOURCES: its file name (Source0) and `%{dlrn_nvr}`. */
export interface MadeTarball {
  readonly tarball: string;
  readonly dlrnNvr: string;
}

/**
 * The kind build_srpm.sh detects from the commit's top directory: `setup.py` without
 * `metadata.json` (puppet modules may carry a setup.py) is python, exactly one `*.gemspec` is a
 * gem (`[ -r *.gemspec ]` is false for two), anything else is null (`git archive`).
 */
export function upstreamKind(topLevel: readonly string[]): { kind: UpstreamKind; gemspec: string | null } | null {
  if (topLevel.includes('setup.py') && !topLevel.includes('metadata.json')) return { kind: 'python', gemspec: null };
  const gemspecs = topLevel.filter((name) => name.endsWith('.gemspec'));
  return gemspecs.length === 1 ? { kind: 'gem', gemspec: gemspecs[0]! } : null;
}

function defaultPython(): string {
  try {
    accessSync('/usr/bin/python3', constants.X_OK);
    return '/usr/bin/python3';
  } catch {
    return 'python3';
  }
}

/** The last non-empty line: setup.py prints warnings on stdout before the version (python-posix_ipc). */
function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? ''
  );
}

/**
 * build_srpm.sh's python and gem upstreams: the version from `python3 setup.py --version` (pbr
 * computes it from the git history) or from the gemspec, and the tarball from
 * `python3 setup.py sdist` or `gem build`, both in a clean copy of exactly the commit (a shared
 * clone: the upstream clone is never written to, nor its working tree used), `private-*` tags
 * deleted there as DLRN does. These run upstream code, as the rpmbuild driver's %build does on
 * this host; the pipeline asks only for drivers that build on the host.
 */
export class UpstreamPackager {
  constructor(private readonly options: UpstreamPackagerOptions = {}) {}

  /** The upstream's kind at the commit, with its clean copy made; null for a plain git tree. */
  async open(context: UpstreamContext): Promise<PackagedUpstream | null> {
    const git = this.options.git ?? 'git';
    const listing = await runCommand(git, ['-C', context.sourceDir, 'ls-tree', '--name-only', context.commit], {
      env: context.env,
      timeoutMs: context.timeoutMs,
      captureStdout: true,
      label: 'git ls-tree',
      unsupervised: true,
    });
    if (listing.code !== 0) throw new Error(`commit ${context.commit} is not in ${context.sourceDir}`);
    const found = upstreamKind(listing.stdout.split('\n').filter(Boolean));
    if (found === null) return null;
    const copy = join(context.workDir, 'upstream');
    const run = (args: string[], label: string) => this.run(context, git, args, label);
    await run(['clone', '-q', '--shared', '--no-checkout', context.sourceDir, copy], 'git clone');
    await run(['-C', copy, 'checkout', '-q', '--detach', context.commit], 'git checkout');
    const privateTags = await runChecked(git, ['-C', copy, 'tag', '-l', 'private-*'], {
      env: context.env,
      timeoutMs: context.timeoutMs,
      captureStdout: true,
      label: 'git tag -l',
    });
    const tags = privateTags.stdout.split('\n').filter(Boolean);
    if (tags.length > 0) await run(['-C', copy, 'tag', '-d', ...tags], 'git tag -d');
    if (context.versionFrom) await this.fakeMerge(context, git, copy, context.versionFrom);
    const chroot = context.sandbox ? await context.sandbox(copy) : null;
    if (context.sandbox && chroot === null) {
      context.log.line(`upstream is a ${found.kind} project, but this driver has no sandbox for its code: git archive`);
      return null;
    }
    context.log.line(
      `upstream at ${context.commit.slice(0, 7)} is a ${found.kind} project: ${describeKind(found)}${chroot ? ', in the chroot' : ''}`,
    );
    return new PackagedUpstream(found.kind, found.gemspec, copy, context, this.options, chroot);
  }

  /**
   * DLRN's `git merge -s ours -m "fake merge tags" <version-from>` before build_srpm.sh (pbr then
   * counts that ref's tags), made in the copy: the ref is resolved in the clone (the copy has
   * its objects, not its remote branches), the identity and dates fixed.
   */
  private async fakeMerge(context: UpstreamContext, git: string, copy: string, versionFrom: string): Promise<void> {
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    if (versionFrom.startsWith('-') || /[\s\x00-\x1f\x7f]/.test(versionFrom)) {
      throw new Error(`version-from ${JSON.stringify(versionFrom)} is not a git reference`);
    }
    const resolved = await runCommand(
      git,
      ['-C', context.sourceDir, 'rev-parse', '--verify', '--quiet', '--end-of-options', `${versionFrom}^{commit}`],
      {
        env: context.env,
        timeoutMs: context.timeoutMs,
        captureStdout: true,
        label: 'git rev-parse',
        unsupervised: true,
      },
    );
    if (resolved.code !== 0) throw new Error(`version-from ${versionFrom}: no such commit in ${context.sourceDir}`);
    const fixed = '@0 +0000';
    const identity = { GIT_AUTHOR_NAME: 'DLRN', GIT_AUTHOR_EMAIL: 'dlrn@localhost', GIT_COMMITTER_NAME: 'DLRN' };
    const args = [
      '-C',
      copy,
      'merge',
      '-q',
      '-s',
      'ours',
      '--no-edit',
      '-m',
      'fake merge tags',
      resolved.stdout.trim(),
    ];
    context.log.command(git, args);
    await runChecked(git, args, {
      env: {
        ...context.env,
        ...identity,
        GIT_COMMITTER_EMAIL: 'dlrn@localhost',
        GIT_AUTHOR_DATE: fixed,
        GIT_COMMITTER_DATE: fixed,
      },
      timeoutMs: context.timeoutMs,
      output: (chunk) => context.log.write(chunk),
      label: 'git merge (version-from)',
    });
  }

  private async run(context: UpstreamContext, command: string, args: string[], label: string): Promise<void> {
    context.log.command(command, args);
    await runChecked(command, args, {
      env: context.env,
      timeoutMs: context.timeoutMs,
      output: (chunk) => context.log.write(chunk),
      label,
    });
  }
}

/** build_srpm.sh's command lines inside the chroot (constants: no data reaches them unchecked). */
const IN_SOURCE = `cd ${CHROOT_SOURCE_DIR}`;
const PYTHON_IN_CHROOT = (args: string) =>
  `(([ -x /usr/bin/python3 ] && python3 setup.py ${args}) || python setup.py ${args})`;
const GEM_VERSION = 'spec = Gem::Specification.load(ARGV[0]) or abort("cannot load #{ARGV[0]}"); puts spec.version';

function describeKind(found: { kind: UpstreamKind; gemspec: string | null }): string {
  return found.kind === 'python'
    ? 'version from setup.py --version, tarball from setup.py sdist'
    : `version and .gem from ${found.gemspec}`;
}

/** One upstream's clean copy, ready to say its version and make its tarball. */
export class PackagedUpstream {
  constructor(
    readonly kind: UpstreamKind,
    private readonly gemspec: string | null,
    private readonly copy: string,
    private readonly context: UpstreamContext,
    private readonly options: UpstreamPackagerOptions,
    private readonly chroot: UpstreamChroot | null = null,
  ) {}

  private async output(command: string, args: string[], label: string): Promise<string> {
    this.context.log.command(command, args);
    const result = await runChecked(command, args, {
      env: this.context.env,
      cwd: this.copy,
      timeoutMs: this.context.timeoutMs,
      captureStdout: true,
      output: (chunk) => this.context.log.write(chunk),
      label,
    });
    return result.stdout;
  }

  private get python(): string {
    return this.options.python ?? defaultPython();
  }

  /** The upstream version, refused unless RPM's grammar takes it (it comes from upstream code). */
  async version(): Promise<string> {
    if (this.kind === 'python') {
      const out = this.chroot
        ? await this.chroot.run(`${IN_SOURCE} && rm -rf *.egg-info && ${PYTHON_IN_CHROOT('--version 2> /dev/null')}`)
        : await this.output(this.python, ['setup.py', '--version'], 'setup.py --version');
      return rpmUpstreamVersion(lastLine(out), `setup.py --version's ${JSON.stringify(lastLine(out))}`);
    }
    const gemspec = this.checkedGemspec();
    const out = this.chroot
      ? await this.chroot.run(`${IN_SOURCE} && ruby -e '${GEM_VERSION}' '${gemspec}'`)
      : await this.output(this.options.ruby ?? 'ruby', ['-e', GEM_VERSION, gemspec], 'ruby (gemspec version)');
    return rpmUpstreamVersion(lastLine(out), `${gemspec}'s version ${JSON.stringify(lastLine(out))}`);
  }

  /** The file name is checked: it reaches ruby's source text and, in the chroot, a shell line. */
  private checkedGemspec(): string {
    return rpmFileName(this.gemspec!, `gemspec ${JSON.stringify(this.gemspec)}`);
  }

  /** In the chroot: build there, then `mock --copyout` the result next to the host copy. */
  private async makeInChroot(chroot: UpstreamChroot, python: boolean): Promise<string> {
    if (python) {
      await chroot.run(`${IN_SOURCE} && ${PYTHON_IN_CHROOT('sdist')}`);
    } else {
      const out = `${CHROOT_SOURCE_DIR}/dlrn-gem`;
      await chroot.run(`${IN_SOURCE} && gem build '${this.checkedGemspec()}' && mkdir -p ${out} && mv *.gem ${out}/`);
    }
    const dest = `${this.copy}-made`;
    await chroot.copyOut(python ? `${CHROOT_SOURCE_DIR}/dist` : `${CHROOT_SOURCE_DIR}/dlrn-gem`, dest);
    return dest;
  }

  /**
   * `setup.py sdist` or `gem build`, moved to `<sourcesDir>/<its name>-<release><ext>` as
   * build_srpm.sh names it (SOURCEWITHREL).
   */
  async make(release: string, sourcesDir: string): Promise<MadeTarball> {
    const python = this.kind === 'python';
    let dir: string;
    if (this.chroot) dir = await this.makeInChroot(this.chroot, python);
    else {
      if (python) await this.output(this.python, ['setup.py', 'sdist'], 'setup.py sdist');
      else await this.output(this.options.gem ?? 'gem', ['build', this.gemspec!], 'gem build');
      dir = python ? join(this.copy, 'dist') : this.copy;
    }
    const ext = python ? '.tar.gz' : '.gem';
    const made = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith(ext));
    if (made.length !== 1) {
      throw new Error(`${python ? 'setup.py sdist' : 'gem build'} left ${made.length} ${ext} files instead of one`);
    }
    const base = made[0]!.slice(0, -ext.length);
    const dlrnNvr = rpmFileName(
      `${base}-${release}`,
      `the ${python ? 'sdist' : 'gem'} file ${JSON.stringify(made[0])}`,
    );
    await rename(join(dir, made[0]!), join(sourcesDir, `${dlrnNvr}${ext}`));
    return { tarball: `${dlrnNvr}${ext}`, dlrnNvr };
  }
}
