// ESLint flat config. The one rule that matters most: libs/domain stays pure (no framework,
// no infrastructure, no node I/O) — enforced by `local/domain-boundary` below.
import { dirname, relative, resolve } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const DOMAIN_ROOT = resolve('libs/domain/src');
const TEST_SUPPORT = resolve('test/support');

/** Reports imports in libs/domain that leave libs/domain (specs may also use vitest and test/support). */
const domainBoundary = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      outside:
        "libs/domain must not import '{{source}}': the domain stays pure (only relative imports inside libs/domain)",
    },
  },
  create(context) {
    const file = context.filename;
    const isSpec = /\.spec\.ts$/.test(file);
    function check(node) {
      const source = node.source?.value;
      if (typeof source !== 'string') return;
      if (source.startsWith('.')) {
        const target = resolve(dirname(file), source);
        if (!relative(DOMAIN_ROOT, target).startsWith('..')) return;
        if (isSpec && !relative(TEST_SUPPORT, target).startsWith('..')) return;
      } else if (isSpec && source === 'vitest') {
        return;
      }
      context.report({ node, messageId: 'outside', data: { source } });
    }
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'data/**',
      'reports/**',
      '.stryker-tmp/**',
      'libs/client/src/openapi.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['libs/domain/**/*.ts'],
    plugins: { local: { rules: { 'domain-boundary': domainBoundary } } },
    rules: { 'local/domain-boundary': 'error' },
  },
);
