import { mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderDistgitTemplate } from './distgit-template.js';

const TEMPLATE = [
  "{% set pypi_name = 'oslo.config' %}",
  "{% set upstream_version = upstream_version('9.1.0') %}",
  'Name: {{ py2name() }}',
  "Epoch: {{ epoch('oslo.config') }}",
  'Source0: %{name}-%{version}.tar.gz',
  '',
].join('\n');

describe('rendering the template of a dist-git directory', () => {
  let root: string;
  let dir: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'renderspec-'));
    dir = join(root, 'openstack', 'oslo.config');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'oslo.config.spec.j2'), TEMPLATE);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('writes <template> minus .j2 beside it, with the epochs of ../../epoch/fedora.yaml', async () => {
    await mkdir(join(root, 'epoch'));
    await writeFile(join(root, 'epoch', 'fedora.yaml'), 'epochs:\n  oslo.config: 2\n');
    const rendered = await renderDistgitTemplate({ dir, root });
    expect(rendered).toMatchObject({ template: 'openstack/oslo.config/oslo.config.spec.j2', spec: 'oslo.config.spec' });
    const spec = await readFile(join(dir, 'oslo.config.spec'), 'utf8');
    expect(spec).toContain('Name: python-oslo-config\nEpoch: 2\n');
  });

  it('reads no epochs file outside the dist-git clone', async () => {
    const clone = join(root, 'openstack');
    await mkdir(join(root, 'epoch'));
    await writeFile(join(root, 'epoch', 'fedora.yaml'), 'epochs:\n  oslo.config: 2\n');
    // ../../epoch/fedora.yaml of <clone>/oslo.config is <root>/epoch: outside <clone>
    await renderDistgitTemplate({ dir, root: clone });
    expect(await readFile(join(dir, 'oslo.config.spec'), 'utf8')).toContain('Epoch: 0\n');
  });

  it('names the spec after pymod2pkg and rewrites -%{version} for the gitrepo driver', async () => {
    const rendered = await renderDistgitTemplate({ dir, root, gitrepoPackage: 'oslo.config' });
    expect(rendered?.spec).toBe('python-oslo-config.spec');
    expect(await readFile(join(dir, 'python-oslo-config.spec'), 'utf8')).toContain(
      'Source0: %{name}-%{upstream_version}.tar.gz',
    );
  });

  it('replaces a link in the way instead of writing through it', async () => {
    const outside = join(root, 'host-file');
    await writeFile(outside, 'precious\n');
    await symlink(outside, join(dir, 'oslo.config.spec'));
    await renderDistgitTemplate({ dir, root });
    expect(await readFile(outside, 'utf8')).toBe('precious\n');
    await expect(readlink(join(dir, 'oslo.config.spec'))).rejects.toThrow();
  });

  it('refuses several templates, as renderspec does', async () => {
    await writeFile(join(dir, 'other.spec.j2'), 'Name: x\n');
    await expect(renderDistgitTemplate({ dir, root })).rejects.toThrow(
      'openstack/oslo.config: several *.spec.j2 templates (oslo.config.spec.j2, other.spec.j2): renderspec needs exactly one',
    );
  });

  it('refuses a template that is a link (it could name any file of the builder)', async () => {
    await rm(join(dir, 'oslo.config.spec.j2'));
    await symlink('/etc/passwd', join(dir, 'oslo.config.spec.j2'));
    await expect(renderDistgitTemplate({ dir, root })).rejects.toThrow('is not a regular file');
  });

  it('does nothing without a template', async () => {
    await rm(join(dir, 'oslo.config.spec.j2'));
    expect(await renderDistgitTemplate({ dir, root })).toBeNull();
  });
});
