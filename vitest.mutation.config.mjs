// The project's vitest config, limited to the current mutation area's tests, or MUTATION_TESTS (see
// stryker.config.mjs).
import base from './vitest.config.ts';
import { MUTATION_TESTS } from './stryker.config.mjs';

export default {
  ...base,
  // Longer limits than the suite's: a mutation run shares 2 cores with its own type checker, and an
  // e2e test that spawns `dlrn` several times passed 30 s there (a failed dry run stops Stryker).
  // DLRN_CLI_IN_PROCESS: `runDlrn` runs the CLI in the test's process (test/support/cli.ts), where
  // Stryker sees coverage and activates the mutant; a `dlrn` child would run the unmutated code.
  test: {
    ...base.test,
    include: MUTATION_TESTS,
    testTimeout: 120_000,
    hookTimeout: 240_000,
    env: { ...base.test?.env, DLRN_CLI_IN_PROCESS: '1' },
  },
};
