import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });
async function lintAs(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'local/layers').map((m) => m.message);
}

describe('the layers lint rule', () => {
  describe('when an import points against the order of the layers', () => {
    it.each([
      ['libs/domain/src/build/probe.ts', "import { readFileSync } from 'node:fs';", 'domain stays pure'],
      ['libs/domain/src/build/probe.ts', "import { Injectable } from '@nestjs/common';", 'domain stays pure'],
      [
        'libs/domain/src/build/probe.ts',
        "import { S } from '#infrastructure/event-store/event-store.factory.js';",
        'libs/domain may import only libs/domain',
      ],
      [
        'libs/domain/src/build/probe.ts',
        "import { x } from '../../../infrastructure/src/x.js';",
        'libs/domain may import only',
      ],
      [
        'libs/domain/src/build/probe.ts',
        "export * from '../../../../apps/api/src/main.js';",
        'libs/domain may import only',
      ],
      [
        'libs/infrastructure/src/probe.ts',
        "import { BuildPass } from '#application/build-pass/build-pass.js';",
        'libs/infrastructure may import only libs/infrastructure, libs/domain',
      ],
      [
        'libs/infrastructure/src/probe.ts',
        "import { renderQueue } from '#reports/queue.renderer.js';",
        'libs/infrastructure may import only',
      ],
      [
        'libs/infrastructure/src/probe.ts',
        "import { ApiModule } from '../../../apps/api/src/api.module.js';",
        'libs/infrastructure may import only',
      ],
      [
        'libs/reports/src/probe.ts',
        "import type { DlrnConfig } from '#infrastructure/config/index.js';",
        'libs/reports may import only libs/reports, libs/domain',
      ],
      ['libs/reports/src/probe.ts', "import { join } from 'node:path';", 'reports stays pure'],
      [
        'libs/application/src/probe.ts',
        "import { ApiModule } from '../../../apps/api/src/api.module.js';",
        'libs/application may import only',
      ],
      [
        'apps/api/src/probe.ts',
        "import { program } from '../../cli/src/program.js';",
        'an app must not import another app',
      ],
      [
        'apps/builder/src/probe.ts',
        "import { runProjector } from '../../projector/src/projector.daemon.js';",
        'an app must not import another app',
      ],
      [
        'libs/application/src/probe.ts',
        "import { FIXTURES } from '../../../test/support/config-fixtures.js';",
        'production code must not import test/',
      ],
      [
        'libs/application/src/probe.ts',
        "const m = import('../../../apps/cli/src/program.js');",
        'libs/application may import only',
      ],
    ])('%s fails on %s', async (file, code, why) => {
      const messages = await lintAs(file, code);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain(why);
    });
  });

  describe('when an import points down the layers', () => {
    it.each([
      ['libs/domain/src/build/probe.ts', "import { fold } from '../shared/decider.js';\nexport { fold };"],
      [
        'libs/infrastructure/src/probe.ts',
        "import { readFileSync } from 'node:fs';\nimport { fold } from '#domain/shared/decider.js';\nexport { readFileSync, fold };",
      ],
      [
        'libs/reports/src/probe.ts',
        "import { shardedRepoDir } from '#domain/repo/repo-path.js';\nexport { shardedRepoDir };",
      ],
      [
        'libs/application/src/probe.ts',
        "import { loadConfig } from '#infrastructure/config/index.js';\nimport { renderQueue } from '#reports/queue.renderer.js';\nexport { loadConfig, renderQueue };",
      ],
      [
        'apps/api/src/probe.ts',
        "import { BuildPass } from '#application/build-pass/build-pass.js';\nexport { BuildPass };",
      ],
      [
        'apps/cli/src/probe.ts',
        "import { runBuilder } from '../../builder/src/builder.daemon.js';\nexport { runBuilder };",
      ],
    ])('%s passes', async (file, code) => {
      expect(await lintAs(file, code)).toEqual([]);
    });
  });

  describe('when a spec imports vitest and test support', () => {
    it('passes, in the domain as elsewhere', async () => {
      const code =
        "import { it } from 'vitest';\nimport { deciderSpec } from '../../../../test/support/decider-spec.js';\nexport { it, deciderSpec };";
      expect(await lintAs('libs/domain/src/build/probe.unit.spec.ts', code)).toEqual([]);
    });
  });

  describe('over the whole code base', () => {
    it('finds nothing against the layers', async () => {
      const results = await eslint.lintFiles(['apps', 'libs']);
      const against = results.flatMap((r) =>
        r.messages.filter((m) => m.ruleId === 'local/layers').map((m) => `${r.filePath}: ${m.message}`),
      );
      expect(against).toEqual([]);
    });
  });
});
