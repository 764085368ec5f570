import { createContext, runInContext } from 'node:vm';
import nunjucks from 'nunjucks';
import { baseVersion, isPrerelease, parsePep440, publicVersion } from './pep440.js';
import { module2package } from './pymod2pkg.js';

/**
 * renderspec (`renderspec --spec-style fedora`, openstack/renderspec) in process: a `.spec.j2`
 * rendered by nunjucks, Jinja-compatible for what spec templates use, with renderspec's
 * globals and filters and its fedora dist-template. renderspec is not packaged for Debian.
 *
 * The template comes from a dist-git: hostile. It gets no file system (a loader that knows
 * only the template and the fedora wrapper: no include, import or extends), no autoescape to
 * work around, and no way to reach JavaScript's prototypes: the template is checked before it
 * is compiled, and refused (file:line) when it calls anything but renderspec's functions, a
 * nunjucks global or its own macros, uses a filter renderspec and nunjucks do not have, or
 * looks up a name such as `constructor`.
 */
export class SpecTemplateError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(line === null ? `${file}: ${reason}` : `${file}:${line}: ${reason}`);
    this.name = 'SpecTemplateError';
  }
}

export interface SpecTemplate {
  /** The template's text. */
  readonly text: string;
  /** Its name in messages, e.g. `openstack/foo/foo.spec.j2`. */
  readonly file: string;
  /** `--epochs`: package name → epoch (renderspec's `epochs:` mapping of `epoch/fedora.yaml`). */
  readonly epochs?: Readonly<Record<string, string | number>>;
  /** How long rendering may run; default 10 s. */
  readonly timeoutMs?: number;
}

/** renderspec's globals, as `--spec-style fedora` defines them. */
export const RENDERSPEC_FUNCTIONS = [
  'py2pkg',
  'py2',
  'py3',
  'py2name',
  'py2rpmversion',
  'py2rpmrelease',
  'epoch',
  'license',
  'upstream_version',
  'url_pypi',
  'fetch_source',
] as const;
/** renderspec's own filters; nunjucks' built-in (Jinja's) filters are there too. */
export const RENDERSPEC_FILTERS = ['epoch', 'basename'] as const;
const NUNJUCKS_GLOBALS = ['range', 'cycler', 'joiner', 'caller'];

/** Names that lead from a value to JavaScript's machinery (`x.constructor.constructor(…)`). */
const FORBIDDEN_NAMES = new Set<string>([
  ...Object.getOwnPropertyNames(Object.prototype),
  'apply',
  'bind',
  'call',
  'arguments',
  'prototype',
  '__proto__',
]);

/** renderspec's `_context_license_spdx` table for fedora. */
const FEDORA_LICENSES: Readonly<Record<string, string>> = {
  'Apache-1.1': 'ASL 1.1',
  'Apache-2.0': 'ASL 2.0',
  'BSD-3-Clause': 'BSD',
  'GPL-1.0+': 'GPL+',
  'GPL-2.0': 'GPLv2',
  'GPL-2.0+': 'GPLv2+',
  'GPL-3.0': 'GPLv3',
  'GPL-3.0+': 'GPLv3+',
  'LGPL-2.1': 'LGPLv2.1',
  'LGPL-2.1+': 'LGPLv2+',
  'LGPL-2.0': 'LGPLv2 with exceptions',
  'LGPL-2.0+': 'LGPLv2+ with exceptions',
  'LGPL-3.0': 'LGPLv3',
  'LGPL-3.0+': 'LGPLv3+',
  MIT: 'MIT with advertising',
  'MPL-1.0': 'MPLv1.0',
  'MPL-1.1': 'MPLv1.1',
  'MPL-2.0': 'MPLv2.0',
  'OFL-1.1': 'OFL',
  'Python-2.0': 'Python',
};

/*
 * renderspec's dist-templates/fedora.spec.j2. Jinja prints what stands before `{% extends %}`;
 * nunjucks drops it, so that part is written out here and put in front of the rendering.
 */
const FEDORA_PREFIX =
  '%if 0%{?rhel} || 0%{?fedora}\n%global rdo 1\n%endif\n%if 0%{?rhel} == 7\n%global skip_python3 1\n%endif\n';
const FEDORA_WRAPPER = [
  '{% extends ".spec" %}',
  '{% block build_requires %}',
  "BuildRequires:  {{ py2pkg('setuptools') }}",
  '{% endblock %}',
  '{% block req_cleanup %}',
  '# RDO prefers RPM to handle dependencies itself',
  'rm -rf *requirements.txt',
  '{% endblock %}',
].join('\n');

/** `range` bounded: a template must not make the builder build a huge array. */
const MAX_RANGE = 100_000;
const MAX_TEMPLATE_BYTES = 1024 * 1024;
const MAX_SPEC_BYTES = 4 * 1024 * 1024;
const RENDER_TIMEOUT_MS = 10_000;

interface TemplateNode {
  readonly typename: string;
  readonly lineno: number;
  readonly colno: number;
  readonly fields: readonly string[];
  readonly value?: unknown;
  readonly [field: string]: unknown;
}

type Context = { readonly ctx: Record<string, unknown> };
type Kwargs = Record<string, unknown> & { __keywords?: true };

class RenderRefusal extends Error {}

/** nunjucks' parser, exported by the package but absent from its typings. */
const parser = (nunjucks as unknown as { parser: { parse(src: string, ext: [], opts: object): TemplateNode } }).parser;

export function renderSpecTemplate(template: SpecTemplate): string {
  if (Buffer.byteLength(template.text) > MAX_TEMPLATE_BYTES) {
    throw new SpecTemplateError(template.file, null, `larger than ${MAX_TEMPLATE_BYTES} bytes`);
  }
  // Jinja drops one trailing newline of a template (keep_trailing_newline=False).
  const source = rewriteTuples(template.text.replace(/\n$/, ''), template.file);
  const sources: Record<string, string> = { '.spec': source, fedora: FEDORA_WRAPPER };
  const loader = {
    getSource: (name: string) =>
      Object.hasOwn(sources, name) ? { src: sources[name]!, path: name, noCache: true } : null,
  } as unknown as nunjucks.ILoader;
  const env = new nunjucks.Environment(loader, {
    autoescape: false,
    trimBlocks: true,
    throwOnUndefined: false,
    dev: true,
  });
  registerRenderspec(env, template.epochs ?? {});
  checkTemplate(source, template.file, env);
  const timeout = template.timeoutMs ?? RENDER_TIMEOUT_MS;
  let text: string;
  try {
    // A template loops as it likes (nested ranges): the render is stopped after a while, as
    // it runs on the builder's (or `dlrn serve`'s) only thread.
    const render = () => env.render('fedora', { spec_style: 'fedora', requirements: {}, skip_pyversion: null });
    text = runInContext('render()', createContext({ render }), { timeout }) as string;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new SpecTemplateError(template.file, null, `rendering took longer than ${timeout / 1000} s`);
    }
    // the compiled template counts lines from 0, the parser from 1
    throw templateError(error, template.file, 1);
  }
  if (Buffer.byteLength(text) > MAX_SPEC_BYTES) {
    throw new SpecTemplateError(template.file, null, `the rendered spec is larger than ${MAX_SPEC_BYTES} bytes`);
  }
  return FEDORA_PREFIX + text;
}

function templateError(error: unknown, file: string, lineOffset = 0): SpecTemplateError {
  const e = error as { lineno?: number; cause?: Error; message?: string };
  const cause = e.cause instanceof Error ? e.cause : null;
  const reason = cause ? cause.message : (e.message ?? String(error)).replace(/^\([^)]*\)\s*(\[[^\]]*\])?\s*/s, '');
  return new SpecTemplateError(file, typeof e.lineno === 'number' ? e.lineno + lineOffset : null, reason.trim());
}

function parse(source: string, file: string): TemplateNode {
  try {
    return parser.parse(source, [], { trimBlocks: true });
  } catch (error) {
    throw templateError(error, file);
  }
}

function children(node: TemplateNode): TemplateNode[] {
  const out: TemplateNode[] = [];
  for (const field of node.fields) {
    const value = node[field];
    if (Array.isArray(value)) out.push(...(value as TemplateNode[]).filter(isNode));
    else if (isNode(value)) out.push(value);
  }
  return out;
}

function isNode(value: unknown): value is TemplateNode {
  return typeof value === 'object' && value !== null && 'typename' in value && 'fields' in value;
}

function walk(node: TemplateNode, visit: (node: TemplateNode) => void): void {
  visit(node);
  for (const child of children(node)) walk(child, visit);
}

/**
 * Jinja's tuples (`py2pkg('x', ('>=', '1.0'))`) are JavaScript's comma operator in nunjucks
 * (the pair becomes `'1.0'`): every parenthesised group of several items becomes a list.
 */
function rewriteTuples(source: string, file: string): string {
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') lineStarts.push(i + 1);
  const opens: number[] = [];
  walk(parse(source, file), (node) => {
    if (node.typename === 'Group' && (node['children'] as unknown[]).length > 1) {
      opens.push(lineStarts[node.lineno]! + node.colno);
    }
  });
  if (opens.length === 0) return source;
  const chars = [...source];
  for (const open of opens) {
    if (source[open] !== '(') throw new SpecTemplateError(file, null, 'cannot locate a tuple in the template');
    chars[open] = '[';
    chars[matchingParen(source, open, file)] = ']';
  }
  return chars.join('');
}

function matchingParen(source: string, open: number, file: string): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i]!;
    if (c === '"' || c === "'") {
      for (i++; i < source.length && source[i] !== c; i++) if (source[i] === '\\') i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new SpecTemplateError(file, null, 'unbalanced parentheses');
}

/** The refusals: everything a spec template has no business doing, with its line. */
function checkTemplate(source: string, file: string, env: nunjucks.Environment): void {
  const root = parse(source, file);
  const macros = new Set<string>();
  walk(root, (node) => {
    if (node.typename === 'Macro') macros.add(String((node['name'] as TemplateNode).value));
  });
  const functions = new Set<string>([...RENDERSPEC_FUNCTIONS, ...NUNJUCKS_GLOBALS, ...macros]);
  const filters = (env as unknown as { filters: Record<string, unknown> }).filters;
  walk(root, (node) => {
    const refuse = (reason: string): never => {
      throw new SpecTemplateError(file, node.lineno + 1, reason);
    };
    switch (node.typename) {
      case 'Include':
      case 'Import':
      case 'FromImport':
      case 'Extends':
        return refuse(`{% ${node.typename.toLowerCase()} %} is not supported: a spec template reads no other file`);
      case 'CallExtension':
      case 'CallExtensionAsync':
        return refuse('template extensions are not supported');
      case 'FunCall': {
        const name = node['name'] as TemplateNode;
        if (name.typename !== 'Symbol') return refuse('only named functions can be called (no methods)');
        if (!functions.has(String(name.value))) {
          return refuse(
            `unknown function ${String(name.value)}(): renderspec's are ${RENDERSPEC_FUNCTIONS.join(', ')}`,
          );
        }
        return;
      }
      case 'Filter':
      case 'FilterAsync': {
        const name = String((node['name'] as TemplateNode).value);
        if (!Object.hasOwn(filters, name) || FORBIDDEN_NAMES.has(name)) return refuse(`unknown filter ${name}`);
        return;
      }
      case 'LookupVal': {
        const key = node['val'] as TemplateNode;
        if (key.typename !== 'Literal' || (typeof key.value !== 'string' && typeof key.value !== 'number')) {
          return refuse('only constant attribute and index lookups are supported');
        }
        if (typeof key.value === 'string' && FORBIDDEN_NAMES.has(key.value)) {
          return refuse(`attribute ${key.value} is not available to templates`);
        }
        return;
      }
      case 'Symbol':
        if (FORBIDDEN_NAMES.has(String(node.value))) return refuse(`name ${String(node.value)} is not available`);
        return;
      default:
        return;
    }
  });
}

/** Splits nunjucks' arguments (keyword arguments come last, as one object) by Python's rules. */
function bind(fn: string, args: unknown[], names: readonly string[]): Record<string, unknown> {
  const last = args[args.length - 1] as Kwargs | undefined;
  const kwargs = last && typeof last === 'object' && last.__keywords === true ? (args.pop() as Kwargs) : {};
  if (args.length > names.length) throw new RenderRefusal(`${fn}() takes at most ${names.length} arguments`);
  const bound: Record<string, unknown> = {};
  names.forEach((name, i) => (bound[name] = args[i]));
  for (const [key, value] of Object.entries(kwargs)) {
    if (key === '__keywords') continue;
    if (!names.includes(key)) throw new RenderRefusal(`${fn}() got an unexpected keyword argument '${key}'`);
    bound[key] = value;
  }
  return bound;
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

/** renderspec's `context.vars[name]`: set by the template itself (`{% set %}`), never a global. */
function templateVar(context: Context, name: string, neededBy: string): string {
  if (!Object.hasOwn(context.ctx, name)) {
    throw new RenderRefusal(`Variable '${name}' not available in context but needed for '${neededBy}'`);
  }
  return String(context.ctx[name]);
}

function registerRenderspec(env: nunjucks.Environment, epochs: Readonly<Record<string, string | number>>): void {
  const epochOf = (name: unknown) => (Object.hasOwn(epochs, String(name)) ? epochs[String(name)]! : 0);
  const translate = (name: unknown, pyVersions: unknown): string[] => {
    if (typeof name !== 'string' || name === '') throw new RenderRefusal('a package name must be a non-empty string');
    if (!truthy(pyVersions)) return module2package(name);
    const list = Array.isArray(pyVersions) ? pyVersions : [pyVersions];
    return module2package(name, list.map(String));
  };
  const py2pkg = (name: unknown, pkgVersion: unknown, pyVersions: unknown): string => {
    const names = translate(name, pyVersions);
    let suffix = '';
    if (truthy(pkgVersion)) {
      if (!Array.isArray(pkgVersion) || pkgVersion.length !== 2) {
        throw new RenderRefusal(`the version of ${String(name)} must be a pair such as ('>=', '1.0')`);
      }
      const epoch = Object.hasOwn(epochs, String(name)) ? `${epochs[String(name)]!}:` : '';
      suffix = ` ${String(pkgVersion[0])} ${epoch}${String(pkgVersion[1])}`;
    }
    return names.map((n) => `${n}${suffix}`).join(' ');
  };
  const fn = (
    name: string,
    params: readonly string[],
    body: (context: Context, a: Record<string, unknown>) => unknown,
  ) =>
    function (this: Context, ...args: unknown[]) {
      return body(this, bind(name, args, params));
    };

  env.addGlobal(
    'py2pkg',
    fn('py2pkg', ['pkg_name', 'pkg_version', 'py_versions'], (_, a) =>
      py2pkg(a['pkg_name'], a['pkg_version'], a['py_versions']),
    ),
  );
  env.addGlobal(
    'py2',
    fn('py2', ['pkg_name', 'pkg_version'], (_, a) => py2pkg(a['pkg_name'], a['pkg_version'], ['py2'])),
  );
  env.addGlobal(
    'py3',
    fn('py3', ['pkg_name', 'pkg_version'], (_, a) => py2pkg(a['pkg_name'], a['pkg_version'], ['py3'])),
  );
  env.addGlobal(
    'py2name',
    fn('py2name', ['value', 'py_versions'], (context, a) => {
      const name = truthy(a['value']) ? a['value'] : templateVar(context, 'pypi_name', 'py2name');
      return translate(name, a['py_versions']).join(' ');
    }),
  );
  env.addGlobal(
    'py2rpmversion',
    fn('py2rpmversion', [], (context) => {
      const version = parsePep440(templateVar(context, 'upstream_version', 'py2rpmversion'));
      // fedora has no `~`: a pre-release goes to the Release (py2rpmrelease)
      return version.release.length >= 4 ? version.release.slice(0, 3).join('.') : baseVersion(version);
    }),
  );
  env.addGlobal(
    'py2rpmrelease',
    fn('py2rpmrelease', [], (context) => {
      const upstream = templateVar(context, 'upstream_version', 'py2rpmrelease');
      const release = templateVar(context, 'rpm_release', 'py2rpmrelease');
      const version = parsePep440(upstream);
      if (!isPrerelease(version)) return `${release}%{?dist}`;
      const parts = publicVersion(version).split(baseVersion(version));
      if (parts.length !== 2) throw new RenderRefusal(`cannot split the pre-release tag of ${upstream}`);
      return `0.${release}.${parts[1]!.replace(/^\.+/, '')}%{?dist}`;
    }),
  );
  env.addGlobal(
    'epoch',
    fn('epoch', ['value'], (_, a) => epochOf(a['value'])),
  );
  env.addGlobal(
    'license',
    fn('license', ['value'], (_, a) => {
      const spdx = String(a['value']);
      if (!Object.hasOwn(FEDORA_LICENSES, spdx)) {
        throw new RenderRefusal(
          `license '${spdx}' has no fedora name in renderspec's table (${Object.keys(FEDORA_LICENSES).join(', ')})`,
        );
      }
      return FEDORA_LICENSES[spdx];
    }),
  );
  env.addGlobal(
    'upstream_version',
    fn('upstream_version', ['pkg_version'], (_, a) => {
      if (truthy(a['pkg_version'])) return a['pkg_version'];
      throw new RenderRefusal(
        "upstream_version() without a version reads it from a source archive, which is not supported: write upstream_version('X.Y.Z')",
      );
    }),
  );
  env.addGlobal(
    'url_pypi',
    fn('url_pypi', [], (context) => {
      const name = templateVar(context, 'pypi_name', 'pypi_name');
      const version = templateVar(context, 'upstream_version', 'upstream_version');
      return `https://files.pythonhosted.org/packages/source/${name[0] ?? ''}/${name}/${name}-${version}.tar.gz`;
    }),
  );
  // renderspec downloads the URL into the output directory; here it is only named (the
  // build replaces Source0 with its own tarball, and templates reach no network).
  env.addGlobal(
    'fetch_source',
    fn('fetch_source', ['url'], (_, a) => a['url']),
  );
  env.addGlobal('range', (...args: unknown[]) => {
    const [start, stop, step] =
      args.length === 1 ? [0, Number(args[0]), 1] : [Number(args[0]), Number(args[1]), Number(args[2] ?? 1)];
    if (!Number.isFinite(start) || !Number.isFinite(stop) || !Number.isFinite(step) || step === 0) {
      throw new RenderRefusal('range() needs finite numbers and a step other than 0');
    }
    if (Math.abs((stop - start) / step) > MAX_RANGE) throw new RenderRefusal(`range() longer than ${MAX_RANGE}`);
    const out: number[] = [];
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
    return out;
  });
  env.addFilter('epoch', (value: unknown) => epochOf(value));
  env.addFilter('basename', (value: unknown) => String(value).split('/').pop() ?? '');
}
