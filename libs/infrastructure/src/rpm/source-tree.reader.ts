import type { BuildLog } from './build-log.js';
import { type ChildEnv, runChecked, runCommand } from './command.runner.js';

/*
 * build_srpm.sh deletes these tags from the clone before `git describe`, so that a version is
 * never "private" or "<x>-eol". `--exclude` gives the same answer without touching the clone.
 */
const IGNORED_TAGS = ['private-*', '*-em', '*-eol', '*-eom'];

export interface SourceTreeContext {
  readonly env: ChildEnv;
  readonly timeoutMs: number;
  readonly log: BuildLog;
  /** The git program; default `git`. */
  readonly git?: string;
}

/**
 * Read-only git operations on the upstream clone, all addressed by commit: the working tree and
 * HEAD are never used, so a clone shared by several builds cannot leak the wrong content in.
 */
export class SourceTreeReader {
  constructor(
    readonly dir: string,
    private readonly context: SourceTreeContext,
  ) {}

  private get git(): string {
    return this.context.git ?? 'git';
  }

  private async query(args: readonly string[]): Promise<string | null> {
    const result = await runCommand(this.git, ['-C', this.dir, ...args], {
      env: this.context.env,
      timeoutMs: this.context.timeoutMs,
      captureStdout: true,
      label: `git ${args[0] ?? ''}`,
      unsupervised: true,
    });
    if (result.timedOut) throw new Error(`git ${args[0] ?? ''} timed out in ${this.dir} and was killed`);
    return result.code === 0 ? result.stdout.trim() : null;
  }

  /**
   * Checks that the commit is in the clone and whether its top directory holds `file`, with one
   * git process (a build runs several of these; each costs a process start).
   */
  async inspectCommit(commit: string, file: string): Promise<{ readonly hasFile: boolean }> {
    const out = await this.query(['ls-tree', `${commit}^{commit}`, '--', file]);
    if (out === null) throw new Error(`commit ${commit} is not in ${this.dir}`);
    return { hasFile: out !== '' };
  }

  /**
   * DLRN's `git describe --tags --abbrev=0` and `git describe --tags` of the commit, ignoring its
   * ignored tags, from a single `--long` run (`<tag>-<distance>-g<sha>`); nulls without a tag.
   */
  async describeTags(
    commit: string,
    versionFrom: string | null = null,
  ): Promise<{ readonly lastTag: string | null; readonly describe: string | null }> {
    const args = ['describe', '--tags', '--long', ...IGNORED_TAGS.map((pattern) => `--exclude=${pattern}`)];
    const described = versionFrom === null ? commit : await this.mergeForTags(commit, versionFrom);
    const out = await this.query([...args, described]);
    this.context.log.line(`+ git ${args.join(' ')} ${described}: ${out ?? '(no tag)'}`);
    const match = out ? /^(.*)-(\d+)-g[0-9a-f]+$/.exec(out) : null;
    if (!match) return { lastTag: null, describe: null };
    return { lastTag: match[1]!, describe: match[2] === '0' ? match[1]! : out };
  }

  /**
   * rdoinfo's `version-from`: DLRN runs `git merge -s ours -m "fake merge tags" <ref>` in the
   * clone before build_srpm.sh, so that the ref's tags count for `git describe`. The same merge
   * is made here as a commit object only (`commit-tree`: the commit's own tree, the commit and
   * the ref as parents), never checked out, so the clone's branches and HEAD stay as they are;
   * its identity and dates are fixed, so one commit and ref always give the same object.
   */
  private async mergeForTags(commit: string, versionFrom: string): Promise<string> {
    const control = [...versionFrom].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
    if (versionFrom === '' || versionFrom.startsWith('-') || /\s/.test(versionFrom) || control) {
      throw new Error(`version-from ${JSON.stringify(versionFrom)} is not a git reference`);
    }
    const ref = await this.query(['rev-parse', '--verify', '--quiet', '--end-of-options', `${versionFrom}^{commit}`]);
    if (ref === null) throw new Error(`version-from ${versionFrom}: no such commit in ${this.dir}`);
    const args = ['commit-tree', `${commit}^{tree}`, '-p', commit, '-p', ref, '-m', 'fake merge tags'];
    const fixed = '@0 +0000';
    const result = await runCommand(this.git, ['-C', this.dir, ...args], {
      env: {
        ...this.context.env,
        GIT_AUTHOR_NAME: 'DLRN',
        GIT_AUTHOR_EMAIL: 'dlrn@localhost',
        GIT_COMMITTER_NAME: 'DLRN',
        GIT_COMMITTER_EMAIL: 'dlrn@localhost',
        GIT_AUTHOR_DATE: fixed,
        GIT_COMMITTER_DATE: fixed,
      },
      timeoutMs: this.context.timeoutMs,
      captureStdout: true,
      label: 'git commit-tree',
      unsupervised: true,
    });
    if (result.code !== 0 || result.timedOut) {
      throw new Error(`version-from ${versionFrom}: git commit-tree failed in ${this.dir}`);
    }
    const merge = result.stdout.trim();
    this.context.log.line(`Taking tags to define version from ${versionFrom} (${ref}): fake merge ${merge}`);
    return merge;
  }

  /** A file of the commit's tree, or null when it has none. */
  async fileAt(commit: string, path: string): Promise<string | null> {
    return this.query(['cat-file', 'blob', `${commit}:${path}`]);
  }

  /** `git archive` of exactly the commit's tree, every path under `<prefix>/`. */
  async archive(commit: string, prefix: string, tarball: string): Promise<void> {
    const args = ['-C', this.dir, 'archive', '--format=tar.gz', `--prefix=${prefix}/`, '-o', tarball, commit];
    this.context.log.command(this.git, args);
    await runChecked(this.git, args, {
      env: this.context.env,
      timeoutMs: this.context.timeoutMs,
      output: (chunk) => this.context.log.write(chunk),
      label: 'git archive',
    });
  }
}
