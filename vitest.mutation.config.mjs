// The project's vitest config, limited to the current mutation area's tests (see stryker.config.mjs).
import base from './vitest.config.ts';
import { MUTATION_AREA, MUTATION_AREAS } from './stryker.config.mjs';

export default {
  ...base,
  test: { ...base.test, include: MUTATION_AREAS[MUTATION_AREA].tests },
};
