// Mutation testing (issue 19): `npm run mutation [-- --all] [-- <area>…]` through scripts/mutation.mjs.
// Not part of .ci/run: a full run of every area takes hours on 2 cores. Each area mutates its own
// code and runs only the tests listed for it (vitest.mutation.config.mjs reads the same table), so
// an area's dry run stays small and perTest coverage picks each mutant's tests among them.
// `vitest.related` is off: vitest's import graph does not reach the API's code from the e2e specs
// (it ran only the unit specs of the API area), and the area's list already limits the run.
const NOT_TESTS = ['!**/*.spec.ts', '!**/*.d.ts'];

/** @type {Record<string, { mutate: string[]; tests: string[]; ignoreStatic?: boolean }>} */
export const MUTATION_AREAS = {
  domain: {
    mutate: ['libs/domain/src/**/*.ts', ...NOT_TESTS],
    // test/properties holds the property tests of domain rules (release strings, repo paths, the
    // consistent rule, first failure, bisection): they belong to this area.
    tests: ['libs/domain/src/**/*.spec.ts', 'test/properties/**/*.spec.ts'],
  },
  // The use cases: the build pass, promotions, votes and the projector engine. Only tests
  // that run that code in the test's own process count: Stryker sees coverage (and activates a
  // mutant) in the vitest worker, not in a child process. Under mutation testing `runDlrn` runs
  // the CLI in-process (DLRN_CLI_IN_PROCESS, vitest.mutation.config.mjs), so the build loop's e2e
  // specs that use it reach the build pass; `startDlrn` daemons stay children.
  'use-cases': {
    mutate: [
      'libs/application/src/build-pass/**/*.ts',
      'libs/application/src/promotions/**/*.ts',
      'libs/application/src/votes/**/*.ts',
      'libs/application/src/projector/**/*.ts',
      ...NOT_TESTS,
    ],
    tests: [
      'libs/application/src/**/*.spec.ts',
      'apps/api/src/dlrn/**/*.spec.ts',
      'test/projections/**/*.spec.ts',
      'test/build-pass/**/*.spec.ts',
      'test/bisection/**/*.spec.ts',
      'test/e2e/build-loop.e2e.spec.ts',
      'test/e2e/build-loop-bad-input.e2e.spec.ts',
      'test/e2e/culprit.e2e.spec.ts',
      // --order (dependency order, bootstrap reset), bisection steps and downstream builds: added
      // after the build pass's first run, where that code had no coverage.
      'test/e2e/build-order.e2e.spec.ts',
      'test/e2e/bisection.e2e.spec.ts',
      'test/e2e/downstream.e2e.spec.ts',
      // The first consistent repository while a package fails; skips under --run.
      'test/e2e/pass-outcomes.e2e.spec.ts',
      // Packages the package source refuses (skips recorded, and not under --run).
      'test/e2e/package-sources-gitrepo.e2e.spec.ts',
      'test/e2e/purge.e2e.spec.ts',
      'test/e2e/api-dlrn.e2e.spec.ts',
      'test/e2e/api-resources.e2e.spec.ts',
    ],
    // The e2e specs run the build pass in their beforeAll hooks, where Stryker's vitest setup has
    // no test id yet: that coverage counts as static, and each static mutant reruns every test of
    // the area (77 s; 1,240 of its 2,485 mutants: about a day). Mutants also covered inside a test
    // run against those tests (the mutant is active in the hooks too); those reached only in hooks
    // or while modules load are ignored, and the run reports how many.
    ignoreStatic: true,
  },
  'api-input-auth': {
    mutate: [
      'apps/api/src/http/dlrn-input.ts',
      'apps/api/src/http/request-input.ts',
      'apps/api/src/auth/**/*.ts',
      ...NOT_TESTS,
    ],
    // Only specs that run the API in the test's own process: login-attacks, user-roles and
    // api-bounded-input start `dlrn serve` as a child, whose coverage Stryker cannot see (they
    // killed nothing, and every mutant of module-level code ran them: ~2 h a run).
    // authenticator.int.spec.ts holds their scenarios at the Authenticator's level.
    tests: ['apps/api/src/http/**/*.spec.ts', 'apps/api/src/auth/**/*.spec.ts', 'test/e2e/api-fuzz.e2e.spec.ts'],
  },
};

// Equivalence notes: survivors that are equivalent but cannot be marked in their source, because a
// `// Stryker disable next-line <mutator>` there would also hide killed mutants of the same mutator
// on that line (Stryker marks by line and mutator, not by column). Marked ones say why in the source.
// - promotion/promotion-link.ts `prefix !== ''` → true: the guard is redundant (every path starts
//   with '', and slicing '' off changes nothing).
// - promotion/promotion-link.ts `: ''` → "Stryker was here!" (no component): a repository path
//   never starts with that text, so the link stays in the repos directory as before.
// - build/release.ts every rule without `^`: `(.*)` with the s flag can start at 0 whenever the
//   marker occurs anywhere, and exec takes the leftmost match; `([^-]*)-.` matches at 0 whenever
//   some `-` is followed by a character (the first `-` is, or it is the only one).
// - build/rpm-values.ts `/^[A-Za-z0-9]$/` without `^` or `$`: it tests one character at a time.
// - build/release.ts `.replace('-', '.')` → `.replace('-', '')`: no rule's group holds a `-` (the
//   first rule takes any `-` followed by a character; a last `-` follows every other rule's marker).
// - build/build-history.ts lastBuiltOnBranch `row.dtBuild > best.dtBuild` → `>=`, and `row.id > best.id`
//   → `true` or `>=`: builds() lists rows in processing order, so a later row always has the larger id
//   and the id tie-break holds whenever the build times are equal.
// - package/dependency-order.ts TAG and DEFINE without `$`: lines are split on \n and trimmed, and
//   `(.+)` stops only at a line terminator (U+2028, a lone \r), which spec lines do not hold.
// - package/dependency-order.ts DEFINE `\s+` → `\s` and `define[2]!.trim()` → `define[2]!`: the
//   line is trimmed and `\s+` takes every blank before the value, so the value has none to trim.
// - package/dependency-order.ts expandMacros `out.includes('%{')` → `''` and `next === out` → false:
//   a round that changes nothing changes nothing again, and the rounds are bounded (10).
// - package/dependency-order.ts names(): a split on single blanks, commas or operator characters
//   (either `+` removed) leaves empty tokens, which the filter drops.
// - package/dependency-order.ts `path = []` → `['Stryker was here']` (a junk entry below every
//   package: a cycle is sliced from its package) and `?.requires ?? []` → `['Stryker was here']`
//   (unreachable: only packages with a spec are visited).
// - build/rpm-values.ts builderOptions `i > 0` → true or `>=`, `: ''` → "Stryker was here!", and
//   `options.length > 0` → true or `>=`: `options[-1]` and `[].at(-1)` are undefined, and neither
//   undefined nor that text is `-D` or `--define`.
// - build/nvr.ts both patterns without `^`: `(.+)` can start at 0 whenever the rest matches, and
//   exec takes the leftmost match.
// - projections/ci-votes, ci-votes-agg and promotions `if (doc !== null) return doc` → false: a
//   document's key is its one event's id, so the document there is that event's, and folding the
//   event again gives the same row (the replay specs compare them).
// - projections/build-timings.projection.ts `event.position <= current.lastPosition` → `<`: only
//   the document's last event passes again, and folding it twice changes nothing (its start is
//   already set, or already removed).
// - package/spec-replace.ts `pieces.length === 3` → true: a 4th piece still leaves 3, refused the
//   same way; `pieces.length < 2` → `<= 2`: two pieces are never refused, so the message choice
//   never sees them; the probe's `exec('')` on other text: a match array has one slot per group,
//   and the groups object every name, whatever matched; `rules.length === 0` → false: no rule
//   changes no line.
// - webhook/push-match.ts repositoryMatcher's `key !== null` filter → true or removed: a null in
//   the set of named keys is never asked for (the matcher answers false for a URL that normalizes
//   to null before it looks).
// - change/change.decider.ts initialState's deliveries holding one junk id: no forge sends it.
// - projections/package-status.projection.ts `entry.position > lastSuccess.position` → `>=`: an
//   omitted-results entry never shares its position with a build.
// - build/spec-rewrite.ts `i < words.length`, `j < word.length` and closingBrace's `i < text.length`
//   → `<=`: the read past the end gives undefined, which is no option, flag or brace.
// - apps/api/src/auth/authenticator.ts the busy error's message: caught, it becomes the 'busy'
//   answer, which has no text.
// - apps/api/src/auth/login-limiter.ts `expired < attempts.at.length` → true or `<=`: past the end
//   the read is undefined, never `<= since`; clientKey's `head = ''` default (split gives one
//   piece at least), `back`'s `[]` and the `tail === undefined` test (without `::` the fill is
//   empty and back unused).
// - projections aggregate-repos, users, components, queue, builds and change-builds: the replay
//   guard `event.position <= doc.lastPosition` → `<`: only the document's last event passes
//   again, and each of their folds sets fields from the event (no counter), so folding it twice
//   gives the same document. (deliveries counts redeliveries: its guard is pinned by a spec.)
// - projections/builds.projection.ts `current === null` → true on BuildClaimed: a build id is one
//   claim's, so no second claim of it is ever folded.
// - projections/dlrn-read-rules.ts lastProcessed `>` → `>=`: counted builds have a result
//   position each, never shared.
// - promotion/promotion-link.ts the `''` prefix → "Stryker was here!" and `prefix !== ''` → true:
//   with no component nothing starts with the junk prefix, and an empty prefix places the link
//   where it was (`''.slice(0, -1)` and `target.slice(0)`).
// - package/package.decider.ts the culprit sets' `?? []` → `['Stryker was here']`: no bisection
//   id is that text.
// - bisection/failure-signature.ts `-\s*` → `-\s` in the timestamp prefix and `\s+-\s+` →
//   `\s+-\s` in the level prefix: the line is trimmed right after.
// Promotions (use cases):
// - promotion-links.reconciler.ts reconcileAll's filter: `streamPrefixes` → [] or [''], and
//   PROMOTION_EVENT_TYPES → []: either half alone selects the same events (promotion events live
//   only in promotion streams); `page.length < PAGE` → `<=`: one more read, of an empty page.
// - promotion-links.reconciler.ts sweepTemporaryLinks `mtimeMs < before` → `<=` (one millisecond)
//   and `{ force: true }` → {} or false: they differ only when another replica removes the same
//   link at the same moment.
// - promotion-links.reconciler.ts agrees `slot === 'link'` → true, and every `.catch(() => null)` →
//   undefined (there and in promotion-plan's stat): readPointer fails where there is no link, and
//   neither null nor undefined is ever a target or a directory.
// - promotion-batch.recorder.ts isOfType `event.type === type` → true or `!==`: the promotion
//   decider folds RepoPromoted and PromotionRolledBack into the same three fields.
// - promotion.errors.ts `/; nothing was recorded$/` without `$`: StorageError's messages end with
//   that clause, once.
// - promotion-links.follower.ts `this.retries.delete(timer)` removed: the set then keeps fired
//   timers (three at most per failed move), and clearing a fired timer at stop does nothing.
// Reported as survived under `ignoreStatic`, killed by their own spec when applied by hand (a
// module-level value that spec loads at import; see the README): promotion-links.reconciler.ts
// TEMPORARY_LINK without `^`, without `$`, without `{16}` or with `[^0-9a-f]` (the reconciler's
// look-alike links); promotion.errors.ts ROLLED_BACK → "" (the promoter's batch refusal text).
// - promotion-batch.recorder.ts the PromotionRolledBack branch of promotionPayloadOf: no
//   coverage, and equivalent with the type test above (both events fold alike).
// Projector engine (use cases):
// - projection-batch.ts load()'s `changed: false` → true for a document the last batch left in
//   memory: its position is at most the checkpoint, so every event routed to it is newer and
//   `evolve` sets `changed` anyway.
// - projection-engine.ts the renewal's `lost !== null` → false: a second lost lease in the same run
//   aborts again (a no-op) and the error names the other projection; the run ends either way.
// - stream-contexts.ts `commit === null ? NO_CONTEXT : { commit }` → `{ commit }`: NO_CONTEXT is
//   `{ commit: null }` (frozen; no projection writes to its context).
// Reported as survived under `ignoreStatic`, killed by projector-owner.unit when applied by hand
// (2026-12-07): the seven mutants of projector-owner.ts's OWNER pattern.
// Build pass (use cases):
// - pointer-keeper.ts move's `row.commit.component !== null` → true: with components on, a build
//   without a component returned before (skipped); with them off, `aggregate` does nothing.
// - pointer-keeper.ts moveLocked's `{ tail: POINTER_DECIDER_TAIL }` → {}: the decider then folds the
//   whole pointer stream instead of its last event; its state is the last move's either way.
// - build-pass.ts `current`'s move with `vote` true → false: only a `consistent` move votes.
// - build-pass.ts `if (decision.moveCurrent)` → true: the decision is asked with
//   `publicationFailed: false` (a failed publication ends the build FAILED, never here), and then
//   `current` always moves.
// - downstream-distgit.ts inside()'s `rel === ''` → false and `rel !== '..'` → true: they decide
//   only for the clone itself and its parent, both directories, which the `isFile()` test refuses.
// - downstream-distgit.ts both `.sort()` removed: Node's readdir returns names sorted already
//   (libuv's scandir sorts them); the sort states the order DLRN's sorted listing gives.
// - downstream-distgit.ts the changelog read `if (overlay.keepChangelog)` → true: the text read is
//   used only with keep_changelog; the dest's `isFile() === false` → true: removing a regular file
//   before copying over it leaves the same file; the early return `rules.length === 0 &&
//   !keepChangelog` → false: with no rule and no changelog every spec is written back unchanged.
// - build-claim.ts the takeover test's `error instanceof BuildRuleError`, `error.code ===
//   'BUILD_ALREADY_CLAIMED'` and `typeof holder === 'string'` → true, each alone: only the
//   decider's BUILD_ALREADY_CLAIMED refusal carries a `builderId` detail, so the other halves
//   decide the same (and a holder that is not a string matches no `(host:pid)`).
// - bootstrap-reset.ts `packages.length === 0` → false: a recheck of no package logs and records
//   nothing.
// - downstream-distgit.ts the dest's `.catch(() => null)` → undefined (`?.isFile()` gives undefined
//   either way, never `false`) and rm's `force: true` → false (the dest exists there: force only
//   matters for a missing path).
// - build-claim.ts refusal()'s `code === 'BUILD_ALREADY_CLAIMED' || … 'BUILD_ALREADY_DONE'` → true:
//   a claim discovers its commit in the same append, so the decider refuses it with these two
//   codes only.
// - build-loop.factory.ts `target ?? ''` and koji's `buildTarget ?? ''`: the configuration refuses
//   mock without `target` and koji without `build_target`, and no other driver reads them;
//   distroinfoRepo's `first === undefined` → false: it refuses an empty `info_files` for rdoinfo and
//   downstream, the only drivers that get this far; PUBLISH_TIMEOUT_MS `30 / 60 * 1000` (half a
//   second): it fails only an import slower than that, and the central import of the suite is
//   faster (`30 * 60 / 1000` is killed by publish-to-central.e2e, outside the area).
// - downstream-discovery.ts `downstreamDistroBranch ?? ''` and `downstreamSourceGitBranch ?? ''`:
//   the configuration requires the first with the downstream driver, the second with
//   `downstream_source_git_key`.
// - package-discovery.ts upstreamDir's `pop() ?? ''`: a split gives one piece at least.
// - package-discovery.ts refreshDistgit's policy for the local clone of `package_info`
//   (`fallbackToMaster: false` → true, `nonfallbackBranches: []` → junk): the branch it asks for is
//   the package's `distro-branch`, which the gitrepo package source sets to the branch it has just
//   checked out in `package_info` (its own fallback to master included), so it always exists and no
//   fallback is consulted.
// Reported as survived under `ignoreStatic`, killed by their own spec when applied by hand (build
// pass, 2026-12-07): claim-holder.ts HOLDER's four regex mutants (claim-holder.unit), every field
// of build-loop.types.ts DEFAULT_PASS_OPTIONS (pass-options.unit), build-history.reader.ts
// REMOTE_IMPORT_BUILDER_PREFIX → "" (build-history.reader.int).
export const MUTATION_AREA = process.env.MUTATION_AREA ?? 'domain';
const area = MUTATION_AREAS[MUTATION_AREA];
if (!area) throw new Error(`MUTATION_AREA=${MUTATION_AREA}: not one of ${Object.keys(MUTATION_AREAS).join(', ')}`);
// MUTATION_TESTS=glob,glob: run only these of the area's tests (a run of one file with --mutate,
// whose code the area's slow e2e specs also reach). Fewer tests can only kill fewer mutants: the
// score is a lower bound of the area's.
export const MUTATION_TESTS = process.env.MUTATION_TESTS ? process.env.MUTATION_TESTS.split(',') : area.tests;
// MUTATION_OUT lets two runs on one checkout (say, one per file with --mutate) keep their reports apart.
const out = process.env.MUTATION_OUT ?? `reports/mutation/${MUTATION_AREA}`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: area.mutate,
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.mjs', related: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  coverageAnalysis: 'perTest',
  ignoreStatic: area.ignoreStatic ?? false,
  // The API area's dry run starts live APIs and login floods: past Stryker's 5 min on a busy 2-core machine.
  dryRunTimeoutMinutes: 30,
  // Two cores: one worker each for the test runner and the type checker would starve the tests.
  concurrency: 2,
  incremental: true,
  incrementalFile: `${out}/stryker-incremental.json`,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `${out}/index.html` },
  jsonReporter: { fileName: `${out}/mutation.json` },
  clearTextReporter: { reportMutants: false, reportTests: false, allowEmojis: false },
  // Not needed to run any area's tests; keeps the sandbox copy small.
  ignorePatterns: ['/dist', '/data', '/demo', '/tmp', '/coverage', '*.sqlite*', '.test-results.json'],
  tempDirName: '.stryker-tmp',
};
