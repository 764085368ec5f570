import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });
async function lintAs(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'local/domain-boundary').map((m) => m.message);
}

describe('the domain boundary lint rule', () => {
  describe('when a domain file imports from outside libs/domain', () => {
    it.each([
      ["import { readFileSync } from 'node:fs';", 'node:fs'],
      ["import { Injectable } from '@nestjs/common';", '@nestjs/common'],
      [
        "import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';",
        '#infrastructure',
      ],
      ["import { x } from '../../../infrastructure/src/x.js';", 'infrastructure/src/x.js'],
      ["export * from '../../../../apps/api/src/main.js';", 'apps/api'],
    ])('fails on %s', async (code, named) => {
      const messages = await lintAs('libs/domain/src/build/probe.ts', `${code}\n`);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain(named);
    });
  });

  describe('when a domain file imports inside libs/domain', () => {
    it('passes', async () => {
      expect(
        await lintAs(
          'libs/domain/src/build/probe.ts',
          "import { fold } from '../shared/decider.js';\nexport { fold };\n",
        ),
      ).toEqual([]);
    });
  });

  describe('when a domain spec imports vitest and test support', () => {
    it('passes', async () => {
      const code =
        "import { it } from 'vitest';\nimport { deciderSpec } from '../../../../test/support/decider-spec.js';\nexport { it, deciderSpec };\n";
      expect(await lintAs('libs/domain/src/build/probe.unit.spec.ts', code)).toEqual([]);
    });
  });

  describe('when an infrastructure file imports node and Nest', () => {
    it('is not concerned', async () => {
      expect(
        await lintAs(
          'libs/infrastructure/src/probe.ts',
          "import { readFileSync } from 'node:fs';\nexport { readFileSync };\n",
        ),
      ).toEqual([]);
    });
  });
});
