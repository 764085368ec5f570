import { lstat, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { load } from 'js-yaml';
import { module2package } from './pymod2pkg.js';
import { renderSpecTemplate, SpecTemplateError, type SpecTemplate } from './spec-template.renderer.js';

/** DLRN's `--epoch ../../epoch/fedora.yaml`, relative to the template's directory. */
export const EPOCHS_FILE = '../../epoch/fedora.yaml';
const MAX_FILE_BYTES = 1024 * 1024;

export interface DistgitTemplateOptions {
  /** The directory holding the template (the dist-git, or its `distgit-path`). */
  readonly dir: string;
  /** The dist-git clone: no file outside it is read (the epochs file included). */
  readonly root: string;
  /**
   * The gitrepo driver's renderspec: `--output <module2package(name)>.spec`, then `-%{version}`
   * rewritten to `-%{upstream_version}` in the spec. The other drivers write `<template>` minus `.j2`.
   */
  readonly gitrepoPackage?: string;
}

export interface RenderedTemplate {
  readonly template: string;
  readonly spec: string;
  readonly text: string;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

async function regularFile(path: string): Promise<string | null> {
  const stats = await lstat(path).catch(() => null);
  if (stats === null) return null;
  if (!stats.isFile()) throw new Error(`${path} is not a regular file`);
  if (stats.size > MAX_FILE_BYTES) throw new Error(`${path} is larger than ${MAX_FILE_BYTES} bytes`);
  return readFile(path, 'utf8');
}

/** The epochs mapping, or none when the file is absent or outside the dist-git (renderspec would fail). */
async function readEpochs(dir: string, root: string): Promise<Record<string, string | number>> {
  const path = resolve(dir, EPOCHS_FILE);
  if (!inside(resolve(root), path)) return {};
  const text = await regularFile(path);
  if (text === null) return {};
  let data: unknown;
  try {
    data = load(text);
  } catch (error) {
    throw new SpecTemplateError(relative(root, path), null, `not YAML: ${(error as Error).message}`);
  }
  const epochs = (data as { epochs?: unknown } | null)?.epochs;
  if (epochs === undefined || epochs === null) return {};
  if (typeof epochs !== 'object' || Array.isArray(epochs)) {
    throw new SpecTemplateError(relative(root, path), null, '`epochs` must map package names to epochs');
  }
  const out: Record<string, string | number> = {};
  for (const [name, epoch] of Object.entries(epochs)) {
    if (typeof epoch !== 'number' && typeof epoch !== 'string') {
      throw new SpecTemplateError(relative(root, path), null, `the epoch of ${name} must be a number`);
    }
    out[name] = epoch;
  }
  return out;
}

/**
 * The single `*.spec.j2` of the directory as renderspec would take it (`_get_default_template`),
 * with its epochs; null when there is none. Several is renderspec's error.
 */
export async function readDistgitTemplate(dir: string, root: string): Promise<SpecTemplate | null> {
  const templates = (await readdir(dir)).filter((name) => name.endsWith('.spec.j2')).sort();
  if (templates.length === 0) return null;
  const file = relative(root, join(dir, templates[0]!)) || templates[0]!;
  if (templates.length > 1) {
    throw new SpecTemplateError(
      relative(root, dir) || '.',
      null,
      `several *.spec.j2 templates (${templates.join(', ')}): renderspec needs exactly one`,
    );
  }
  const text = (await regularFile(join(dir, templates[0]!)))!;
  return { text, file, epochs: await readEpochs(dir, root) };
}

/** The rendered spec of the directory's template, in memory; null without a template. */
export async function renderedDistgitSpec(
  options: DistgitTemplateOptions,
): Promise<{ readonly template: string; readonly text: string } | null> {
  const template = await readDistgitTemplate(options.dir, options.root);
  if (template === null) return null;
  let text = renderSpecTemplate(template);
  if (options.gitrepoPackage !== undefined) text = text.replaceAll('-%{version}', '-%{upstream_version}');
  return { template: template.file, text };
}

/**
 * DLRN's `_distgit_setup`: when the directory holds a `*.spec.j2`, renderspec writes the spec
 * beside it (replacing what is there: a link is removed, never written through), as DLRN does
 * when it refreshes the dist-git, so that the hooks and the build read it. Null without a template.
 */
export async function renderDistgitTemplate(options: DistgitTemplateOptions): Promise<RenderedTemplate | null> {
  const rendered = await renderedDistgitSpec(options);
  if (rendered === null) return null;
  const spec =
    options.gitrepoPackage !== undefined
      ? `${module2package(options.gitrepoPackage)[0]!}.spec`
      : rendered.template.split('/').pop()!.replace(/\.j2$/, '');
  if (spec.includes('/') || spec.startsWith('.')) throw new Error(`cannot write the rendered spec as ${spec}`);
  const target = join(options.dir, spec);
  const existing = await lstat(target).catch(() => null);
  if (existing && !existing.isFile()) await rm(target, { recursive: true, force: true });
  await writeFile(target, rendered.text);
  if (options.gitrepoPackage !== undefined) {
    // DLRN rewrites every spec of the folder, not only the one it rendered.
    for (const name of await readdir(options.dir)) {
      if (!name.endsWith('.spec') || name === spec) continue;
      const text = await regularFile(join(options.dir, name)).catch(() => null);
      if (text !== null && text.includes('-%{version}')) {
        await writeFile(join(options.dir, name), text.replaceAll('-%{version}', '-%{upstream_version}'));
      }
    }
  }
  return { template: rendered.template, spec, text: rendered.text };
}
