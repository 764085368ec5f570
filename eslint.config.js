// ESLint flat config. The rule that matters most: `local/layers` keeps the layers of
// docs/architecture.md in order — an import may only point down this list:
//   apps/*                 composition roots; an app imports no other app, except the CLI
//   libs/application       use cases           → infrastructure, reports, domain
//   libs/infrastructure    adapters            → domain
//   libs/reports           HTML/CSV renderers  → domain
//   libs/domain            pure: no package, no node module, nothing outside itself
// Specs may also import vitest and test/support; production code never imports test/.
import { dirname, relative, resolve, sep } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ROOT = resolve('.');
const ALIASES = {
  '#domain/': 'libs/domain/src/',
  '#infrastructure/': 'libs/infrastructure/src/',
  '#application/': 'libs/application/src/',
  '#reports/': 'libs/reports/src/',
};
/** Which libraries each library may import (itself included); packages only where `packages`. */
const LIBRARIES = {
  domain: { imports: ['domain'], packages: false },
  reports: { imports: ['reports', 'domain'], packages: false },
  infrastructure: { imports: ['infrastructure', 'domain'], packages: true },
  application: { imports: ['application', 'infrastructure', 'reports', 'domain'], packages: true },
};

/** `lib:<name>`, `app:<name>`, `test`, or another top-level folder, for a path under the root. */
function zoneOf(path) {
  const parts = relative(ROOT, path).split(sep);
  if (parts[0] === 'libs' && parts[1]) return `lib:${parts[1]}`;
  if (parts[0] === 'apps' && parts[1]) return `app:${parts[1]}`;
  return parts[0] ?? '';
}

/** The zone an import specifier points at, or `package` for a bare specifier. */
function targetZone(file, source) {
  if (source.startsWith('.')) return zoneOf(resolve(dirname(file), source));
  for (const [alias, folder] of Object.entries(ALIASES)) {
    if (source.startsWith(alias)) return zoneOf(resolve(ROOT, folder));
  }
  return 'package';
}

function verdict(file, source) {
  const from = zoneOf(file);
  const to = targetZone(file, source);
  const isSpec = /\.spec\.ts$/.test(file);
  if (isSpec && (to === 'test' || source === 'vitest')) return null;
  if (to === 'test') return 'production code must not import test/ (move what it needs into a library)';
  if (from.startsWith('lib:')) {
    const rule = LIBRARIES[from.slice(4)];
    if (!rule) return null;
    if (to === 'package') return rule.packages ? null : `${from.slice(4)} stays pure: no packages or node modules`;
    if (to.startsWith('lib:') && rule.imports.includes(to.slice(4))) return null;
    return `libs/${from.slice(4)} may import only ${rule.imports.map((l) => `libs/${l}`).join(', ')}`;
  }
  if (from.startsWith('app:') && to.startsWith('app:') && to !== from && from !== 'app:cli') {
    return 'an app must not import another app (only the CLI composes them)';
  }
  return null;
}

/** Reports every import that points against the order of the layers. */
const layers = {
  meta: {
    type: 'problem',
    schema: [],
    messages: { against: "'{{source}}' is against the layers: {{why}}" },
  },
  create(context) {
    function check(node) {
      const source = node.source?.value;
      if (typeof source !== 'string') return;
      const why = verdict(context.filename, source);
      if (why) context.report({ node, messageId: 'against', data: { source, why } });
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
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    plugins: { local: { rules: { layers } } },
    rules: { 'local/layers': 'error' },
  },
);
