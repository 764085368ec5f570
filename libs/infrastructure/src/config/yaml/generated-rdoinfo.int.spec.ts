import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProjectsIni } from '../ini/projects-ini.loader.js';
import { resolvePackages } from './package-metadata.resolver.js';

// A generated rdoinfo-sized tree: 400 packages over 12 package files (group-06 imports 07–12
// beside itself), confs and releases in their own files, one tags file. Expectations below are
// derived from the format's rules, not from the resolver.
const COUNT = 400;
const CONFS = ['rpmfactory-core', 'rpmfactory-client', 'rpmfactory-lib', 'rpmfactory-puppet'] as const;
const project = (i: number) => `proj-${String(i).padStart(3, '0')}`;
const groupOf = (i: number) => (i < 136 ? Math.floor(i / 34) + 1 : Math.floor((i - 136) / 33) + 5);
const pad = (g: number) => String(g).padStart(2, '0');

function packageEntry(i: number): string {
  const lines = [`- project: ${project(i)}`, `  conf: ${CONFS[i % 4]}`];
  if (i % 7 === 0) lines.push(`  name: custom-${i}`);
  if (i % 10 === 5) lines.push('  upstream: https://git.example.org/%(name)s.git');
  if (i % 9 === 0) lines.push('  maintainers:', `  - owner-${i}@example.org`);
  return lines.join('\n');
}

function tagEntry(i: number): string {
  const overrides = [
    ...(i % 5 === 1 ? ['      source-branch: stable/2025.2'] : []),
    ...(i % 8 === 2 ? ['      distro-branch: flamingo-rdo'] : []),
  ];
  return [`- project: ${project(i)}`, '  tags:', '    flamingo:', ...overrides].join('\n');
}

function writeTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-rdoinfo-'));
  mkdirSync(join(root, 'info/packages'), { recursive: true });
  mkdirSync(join(root, 'info/tags'), { recursive: true });
  const write = (name: string, text: string) => writeFileSync(join(root, 'info', name), text);
  write(
    'rdo.yml',
    [
      'import:',
      '- releases.yml',
      '- package-configs.yml',
      ...[1, 2, 3, 4, 5, 6].map((g) => `- packages/group-${pad(g)}.yml`),
      '- tags/flamingo.yml',
      'package-default:',
      '  name: python-%(project)s',
      '  master-distgit: https://github.com/rdo-packages/%(project)s-distgit.git',
      '  maintainers:',
      '  - rdo@example.org',
      '',
    ].join('\n'),
  );
  write('releases.yml', 'releases:\n- name: flamingo\n  branch: rpm-master\n  repos:\n  - name: el9s\n');
  write(
    'package-configs.yml',
    [
      'package-configs:',
      '  rpmfactory-core:',
      '    name: openstack-%(project)s',
      '    upstream: https://opendev.org/openstack/%(project)s',
      '    maintainers: [core@example.org]',
      '  rpmfactory-client:',
      '    name: python-%(project)sclient',
      '    upstream: https://opendev.org/openstack/python-%(project)sclient',
      '  rpmfactory-lib:',
      '    upstream: https://opendev.org/openstack/%(project)s',
      '  rpmfactory-puppet:',
      '    name: puppet-%(project)s',
      '    upstream: https://github.com/puppet/%(project)s',
      '    component: tripleo',
      '',
    ].join('\n'),
  );
  for (let g = 1; g <= 12; g++) {
    const entries = Array.from({ length: COUNT }, (_, i) => i)
      .filter((i) => groupOf(i) === g)
      .map(packageEntry);
    const imports = g === 6 ? ['import:', ...[7, 8, 9, 10, 11, 12].map((n) => `- group-${pad(n)}.yml`)] : [];
    write(`packages/group-${pad(g)}.yml`, [...imports, 'packages:', ...entries, ''].join('\n'));
  }
  const tagged = Array.from({ length: COUNT }, (_, i) => i).filter((i) => i % 3 !== 0);
  write('tags/flamingo.yml', ['packages:', ...tagged.map(tagEntry), ''].join('\n'));
  return root;
}

function configFor(root: string, tags: string) {
  writeFileSync(join(root, `projects-${tags || 'all'}.ini`), `baseurl=http://x/\ntarget=t\ntags=${tags}\n`);
  return loadProjectsIni(join(root, `projects-${tags || 'all'}.ini`));
}

function expectedName(i: number): string {
  if (i % 7 === 0) return `custom-${i}`;
  return (
    [`openstack-${project(i)}`, `python-${project(i)}client`, `python-${project(i)}`, `puppet-${project(i)}`][i % 4] ??
    ''
  );
}

function expectedUpstream(i: number): string {
  if (i % 10 === 5) return `https://git.example.org/${expectedName(i)}.git`;
  const p = project(i);
  return (
    [
      `https://opendev.org/openstack/${p}`,
      `https://opendev.org/openstack/python-${p}client`,
      `https://opendev.org/openstack/${p}`,
      `https://github.com/puppet/${p}`,
    ][i % 4] ?? ''
  );
}

describe('when a 400-package rdoinfo tree spread over a dozen imported files is resolved', () => {
  const root = writeTree();
  const info = join(root, 'info');

  it('without a tag, keeps all 400 packages in import order', () => {
    const packages = resolvePackages(configFor(root, ''), info);
    expect(packages).toHaveLength(400);
    expect(packages.map((p) => p.project)).toEqual(Array.from({ length: COUNT }, (_, i) => project(i)));
    expect(packages.map((p) => p.name)).toEqual(Array.from({ length: COUNT }, (_, i) => expectedName(i)));
    expect(packages.map((p) => p.upstream)).toEqual(Array.from({ length: COUNT }, (_, i) => expectedUpstream(i)));
  });

  it('with the flamingo tag, keeps the 266 tagged packages with their overrides', () => {
    const packages = resolvePackages(configFor(root, 'flamingo'), info);
    const tagged = Array.from({ length: COUNT }, (_, i) => i).filter((i) => i % 3 !== 0);
    expect(packages).toHaveLength(266);
    expect(packages.map((p) => p.project)).toEqual(tagged.map(project));
    expect(packages.map((p) => p['source-branch'])).toEqual(
      tagged.map((i) => (i % 5 === 1 ? 'stable/2025.2' : undefined)),
    );
    expect(packages.map((p) => p['distro-branch'])).toEqual(
      tagged.map((i) => (i % 8 === 2 ? 'flamingo-rdo' : undefined)),
    );
  });

  it('resolves a few entries exactly as worked out by hand', () => {
    const tagged = new Map(resolvePackages(configFor(root, 'flamingo'), info).map((p) => [p.project, p]));
    // 1: client conf (no maintainers there → package-default's); tagged; 1 % 5 === 1 → stable branch.
    expect(tagged.get('proj-001')).toMatchObject({
      name: 'python-proj-001client',
      upstream: 'https://opendev.org/openstack/python-proj-001client',
      'master-distgit': 'https://github.com/rdo-packages/proj-001-distgit.git',
      maintainers: ['rdo@example.org'],
      'source-branch': 'stable/2025.2',
    });
    // 35: puppet conf; own name (35 % 7 === 0) reused by its own upstream (35 % 10 === 5).
    expect(tagged.get('proj-035')).toMatchObject({
      name: 'custom-35',
      upstream: 'https://git.example.org/custom-35.git',
      component: 'tripleo',
      maintainers: ['rdo@example.org'],
    });
    expect(tagged.get('proj-035')?.['distro-branch']).toBeUndefined();
    // 396 % 3 === 0: not in the tags file, dropped. 398: lib conf, name from package-default.
    expect(tagged.has('proj-396')).toBe(false);
    expect(tagged.get('proj-398')).toMatchObject({ name: 'python-proj-398', maintainers: ['rdo@example.org'] });

    const all = new Map(resolvePackages(configFor(root, ''), info).map((p) => [p.project, p]));
    // 45 % 9 === 0: own maintainers replace the conf's; 4: core conf's maintainers.
    expect(all.get('proj-045')?.maintainers).toEqual(['owner-45@example.org']);
    expect(all.get('proj-004')?.maintainers).toEqual(['core@example.org']);
  });
});
