import { readFileSync } from 'node:fs';

/** The package version, read once from package.json (four levels above this file in source, five in dist). */
export function packageVersion(): string {
  for (const candidate of ['../../../../package.json', '../../../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'dlrn-ts' && pkg.version) return pkg.version;
    } catch {
      // not at this level: try the next one
    }
  }
  return '0.0.0';
}
