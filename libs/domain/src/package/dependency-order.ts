/** What `--order` needs of a spec: what the package provides and what it needs. */
export interface SpecDependencies {
  readonly package: string;
  /** Name, sub-packages and Provides. */
  readonly provides: readonly string[];
  /** BuildRequires and Requires, names only. */
  readonly requires: readonly string[];
}

const TAG = /^(Name|Provides|BuildRequires|Requires(?:\([^)]*\))?)\s*:\s*(.+)$/i;
const DEFINE = /^%(?:global|define)\s+([A-Za-z_][A-Za-z0-9_]*)\s+(.+)$/;
const MACRO = /%\{(\??)([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** `%{key}` and `%{?key}` from the spec's own macros, a bounded number of rounds (no loops). */
function expandMacros(text: string, macros: ReadonlyMap<string, string>, name: string): string {
  let out = text;
  for (let round = 0; round < 10 && out.includes('%{'); round++) {
    const next = out.replace(MACRO, (whole, optional: string, key: string) => {
      if (key === 'name') return name;
      const value = macros.get(key);
      return value ?? (optional ? '' : whole);
    });
    if (next === out) break;
    out = next;
  }
  return out;
}

/**
 * The value without its rich dependencies: every balanced `( … )` group, nested ones included,
 * wherever it stands (`a, (b if c)` → `a, `). A stray `)` is dropped; an unclosed `(` drops the
 * rest of the value. A regular expression cannot match nested groups, hence the count.
 */
function withoutRichDependencies(value: string): string {
  let depth = 0;
  let out = '';
  for (const ch of value) {
    if (ch === '(') depth += 1;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0) out += ch;
  }
  return out;
}

/**
 * Dependency names of a tag value: `a >= 1.0, b` → [a, b], also with the operator written
 * against the name or the version (`a>=1.0`, `a >=1.0`: rpm reads both); rich dependencies are
 * skipped wherever they stand.
 */
function names(value: string): string[] {
  return withoutRichDependencies(value)
    .split(/[\s,]+|[<>=!]+/)
    .filter((token) => token !== '' && !/^[0-9%]/.test(token));
}

/**
 * Reads Name, `%package` sub-packages, Provides, BuildRequires and Requires from a spec, as
 * `rpmspec -P` prints it (the build pass renders it first, as DLRN does). For a spec read as
 * written, `%{name}` and the `%global`/`%define` macros are expanded the way DLRN's own
 * RpmSpecFile does (`%{key}` and `%{?key}`, the last definition winning, conditionals ignored).
 */
export function parseSpecDependencies(packageName: string, spec: string): SpecDependencies {
  let name = packageName;
  const provides = new Set<string>();
  const requires = new Set<string>();
  const macros = new Map<string, string>();
  const expand = (text: string): string => expandMacros(text, macros, name);
  for (const raw of spec.split('\n')) {
    const line = raw.trim();
    const define = DEFINE.exec(line);
    if (define) {
      macros.set(define[1]!, define[2]!.trim());
      continue;
    }
    const sub = /^%package\s+(-n\s+)?(\S+)/.exec(line);
    if (sub) {
      provides.add(sub[1] ? expand(sub[2]!) : `${name}-${expand(sub[2]!)}`);
      continue;
    }
    const tag = TAG.exec(line);
    if (!tag) continue;
    const key = tag[1]!.toLowerCase();
    const value = expand(tag[2]!);
    if (key === 'name') {
      name = value.trim();
      provides.add(name);
    } else if (key === 'provides') {
      for (const n of names(value)) provides.add(n);
    } else {
      for (const n of names(value)) requires.add(n);
    }
  }
  return { package: packageName, provides: [...provides], requires: [...requires] };
}

/**
 * DLRN's `--order` (`RpmSpecCollection.compute_order`): a depth-first topological order in which
 * every package comes after the packages providing what it requires. Cycles are broken where
 * they are found and reported.
 */
export function dependencyOrder(specs: readonly SpecDependencies[]): { order: string[]; cycles: string[][] } {
  const provider = new Map<string, string>();
  for (const spec of specs) for (const p of spec.provides) if (!provider.has(p)) provider.set(p, spec.package);
  const byPackage = new Map(specs.map((s) => [s.package, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: string[] = [];
  const cycles: string[][] = [];
  const path: string[] = [];
  const visit = (pkg: string): void => {
    const seen = state.get(pkg);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      cycles.push([...path.slice(path.indexOf(pkg)), pkg]);
      return;
    }
    state.set(pkg, 'visiting');
    path.push(pkg);
    for (const need of byPackage.get(pkg)?.requires ?? []) {
      const dep = provider.get(need);
      if (dep !== undefined && dep !== pkg) visit(dep);
    }
    path.pop();
    state.set(pkg, 'done');
    order.push(pkg);
  };
  for (const spec of specs) visit(spec.package);
  return { order, cycles };
}
