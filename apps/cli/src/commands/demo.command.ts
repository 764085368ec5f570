import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { addDemoCommits, createDemoRepositories, writeDemoConfig } from '../demo/demo-example.js';
import { runBuildPass, type BuildPassFlags } from './build-pass.command.js';

const MARKER = '.dlrn-demo';

/**
 * `dlrn demo`: generates three packages (upstream and dist-git repositories with real noarch
 * specs), runs a pass, adds upstream commits (one breaks a package), runs a second pass, and
 * shows the repositories it left behind.
 */
export function registerDemo(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command('demo')
    .description('build a generated example: real RPMs and a dnf repository, one package breaking on the way')
    .option('--dir <dir>', 'where to create the example (recreated if it holds an earlier demo)', 'demo')
    .action(async (options: { dir: string }) => exit(await runDemo(resolve(options.dir), io)));
}

async function runDemo(root: string, io: CliIo): Promise<number> {
  if (existsSync(root)) {
    if (!existsSync(join(root, MARKER)) && readdirSync(root).length > 0) {
      io.err(`dlrn: error: ${root} exists and is not an earlier demo; choose another --dir\n`);
      return 1;
    }
    rmSync(root, { recursive: true, force: true });
  }
  await mkdir(root, { recursive: true });
  await writeFile(join(root, MARKER), 'created by dlrn demo\n');
  const start = Math.floor(Date.now() / 1000) - 2 * 86_400;
  const packages = await createDemoRepositories(root, start);
  const configFile = await writeDemoConfig(root, packages);
  const flags: BuildPassFlags = {
    configFile,
    configOverride: [],
    infoRepo: join(root, 'rdoinfo'),
    buildEnv: [],
    projectName: [],
    packageName: [],
  };

  io.out(`== pass 1: ${packages.length} new packages, their HEAD commits\n`);
  const first = await runBuildPass(flags, io);
  io.out(`   exit code ${first}\n`);
  // DLRN's "first failure after success" takes failures strictly after the success's second:
  // the second pass must not start in the second the first one ended, or the page shows ??????.
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 10));
  await addDemoCommits(packages, start);
  io.out('== pass 2: new upstream commits; the one to broken-tool removes a file its build needs\n');
  const second = await runBuildPass(flags, io);
  io.out(`   exit code ${second} (1: a build FAILED)\n`);

  io.out('== status\n');
  await runBuildPass({ ...flags, status: true }, io);
  const repos = join(root, 'data', 'repos');
  if (!existsSync(join(repos, 'current'))) {
    io.err(
      'dlrn demo: no build succeeded, so there is no repository to show (are rpmbuild and createrepo_c installed?)\n',
    );
    return 1;
  }
  const current = readlinkSync(join(repos, 'current'));
  const consistent = existsSync(join(repos, 'consistent')) ? readlinkSync(join(repos, 'consistent')) : '(none)';
  io.out(`== repositories in ${repos}\n`);
  io.out(`   current    -> ${current}   (the last successful build)\n`);
  io.out(`   consistent -> ${consistent}   (the last snapshot where no package was failing)\n`);
  const rpms = readdirSync(join(repos, current)).filter((f) => f.endsWith('.rpm'));
  io.out(`   current holds ${rpms.length} RPMs: ${rpms.join(', ')}\n`);
  io.out(`   ${join(repos, current, 'delorean.repo')}:\n`);
  io.out(
    `${readFileSync(join(repos, current, 'delorean.repo'), 'utf8')
      .trimEnd()
      .replace(/^/gm, '     ')}\n`,
  );
  io.out(`   try: dnf --repofrompath=demo,${join(repos, 'current')} --repo=demo --setopt=demo.gpgcheck=0 repoquery\n`);
  return second === 1 ? 0 : 1;
}
