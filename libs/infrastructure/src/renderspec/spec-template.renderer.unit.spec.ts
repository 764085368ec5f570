import { describe, expect, it } from 'vitest';
import { renderSpecTemplate, SpecTemplateError } from './spec-template.renderer.js';
import { baseVersion, parsePep440, publicVersion } from './pep440.js';
import { module2package } from './pymod2pkg.js';

/*
 * Expected texts are what openstack/renderspec (HEAD, with Jinja2 3.1 and pymod2pkg HEAD)
 * printed for the same templates with `--spec-style fedora` and epochs {oslo.config: 2}.
 */
const EVERY_FUNCTION = [
  "{% set pypi_name = 'oslo.config' %}",
  "{% set upstream_version = upstream_version('9.1.0.0rc1') %}",
  "{% set rpm_release = '1' %}",
  '{% set source = url_pypi() %}',
  'Name:           {{ py2name() }}',
  "Epoch:          {{ epoch('oslo.config') }}",
  'Version:        {{ py2rpmversion() }}',
  'Release:        {{ py2rpmrelease() }}',
  "License:        {{ license('Apache-2.0') }}",
  'Source0:        {{ source }}',
  'Source1:        {{ source|basename }}',
  '{% block build_requires %}',
  'BuildRequires:  gcc',
  '{% endblock %}',
  "Requires:       {{ py2pkg('oslo.config', ('>=', '5.2.0')) }}",
  "Requires:       {{ py3('PyYAML') }}",
  "Requires:       {{ py2('oslo.i18n', ('>=', '3.15.3')) }}",
  "Requires:       {{ py2pkg('Babel', py_versions=['py2', 'py3']) }}",
  "Requires:       {{ py2name('horizon') }} {{ py2name('heat-dashboard') }} {{ py2name('neutron-tempest-plugin', py_versions='py3') }} {{ py2name('XStatic-Angular') }}",
  "Provides:       {{ 'oslo.config'|epoch }} {{ 'nova'|epoch }}",
  "%package -n {{ py2name(py_versions='py3') }}",
  '%prep',
  '{% block req_cleanup %}',
  'pip install',
  '{% endblock %}',
  "{% for v in ['a', 'b'] %}",
  '{{ v | upper }}',
  '{% endfor %}',
  '%changelog',
  '',
].join('\n');
const EVERY_FUNCTION_RENDERED = [
  '%if 0%{?rhel} || 0%{?fedora}',
  '%global rdo 1',
  '%endif',
  '%if 0%{?rhel} == 7',
  '%global skip_python3 1',
  '%endif',
  'Name:           python-oslo-config',
  'Epoch:          2',
  'Version:        9.1.0',
  'Release:        0.1.rc1%{?dist}',
  'License:        ASL 2.0',
  'Source0:        https://files.pythonhosted.org/packages/source/o/oslo.config/oslo.config-9.1.0.0rc1.tar.gz',
  'Source1:        oslo.config-9.1.0.0rc1.tar.gz',
  'BuildRequires:  python-setuptools',
  'Requires:       python-oslo-config >= 2:5.2.0',
  'Requires:       python3-pyyaml',
  'Requires:       python-oslo-i18n >= 3.15.3',
  'Requires:       python-babel python3-babel',
  'Requires:       openstack-dashboard openstack-heat-ui python3-neutron-tests-tempest python-XStatic-Angular',
  'Provides:       2 0',
  '%package -n python3-oslo-config',
  '%prep',
  '# RDO prefers RPM to handle dependencies itself',
  'rm -rf *requirements.txt',
  'A',
  'B',
  '%changelog',
].join('\n');
const DEV_VERSION = [
  "{% set pypi_name = 'pbr' %}",
  "{% set upstream_version = upstream_version('2.0.1.dev17') %}",
  "{% set rpm_release = '3' %}",
  'Name: {{ py2name() }}',
  'Version: {{ py2rpmversion() }}',
  'Release: {{ py2rpmrelease() }}',
  '',
].join('\n');
const DEV_VERSION_RENDERED = [
  '%if 0%{?rhel} || 0%{?fedora}',
  '%global rdo 1',
  '%endif',
  '%if 0%{?rhel} == 7',
  '%global skip_python3 1',
  '%endif',
  'Name: python-pbr',
  'Version: 2.0.1',
  'Release: 0.3.dev17%{?dist}',
].join('\n');

const render = (text: string) => renderSpecTemplate({ text, file: 'foo/foo.spec.j2', epochs: { 'oslo.config': 2 } });
const refusal = (text: string): SpecTemplateError => {
  try {
    render(text);
  } catch (error) {
    if (error instanceof SpecTemplateError) return error;
    throw error;
  }
  throw new Error('rendered');
};

describe('renderspec --spec-style fedora', () => {
  it('renders every renderspec function and filter, the fedora blocks and Jinja tuples as renderspec does', () => {
    expect(render(EVERY_FUNCTION)).toBe(EVERY_FUNCTION_RENDERED);
  });

  it('puts a dev pre-release into the Release, as renderspec does', () => {
    expect(render(DEV_VERSION)).toBe(DEV_VERSION_RENDERED);
  });

  it('drops one trailing newline of the template, as Jinja does', () => {
    expect(render('Name: x\n\n').endsWith('Name: x\n')).toBe(true);
  });

  it('refuses a call of an unknown function, naming the file and line', () => {
    const error = refusal('Name: x\n\nVersion: {{ py4pkg("a") }}\n');
    expect(error.message).toBe(
      "foo/foo.spec.j2:3: unknown function py4pkg(): renderspec's are py2pkg, py2, py3, py2name, py2rpmversion, py2rpmrelease, epoch, license, upstream_version, url_pypi, fetch_source",
    );
  });

  it('refuses an unknown filter with its line', () => {
    expect(refusal('a\n{{ "x"|shell }}').message).toBe('foo/foo.spec.j2:2: unknown filter shell');
  });

  it('refuses include, import and extends: a template reads no file', () => {
    expect(refusal('{% include "/etc/passwd" %}').message).toMatch(
      /^foo\/foo\.spec\.j2:1: \{% include %\} is not supported/,
    );
    expect(refusal('{% import "x" as y %}').message).toMatch(/:1: \{% import %\} is not supported/);
    expect(refusal('{% extends "/etc/passwd" %}').message).toMatch(/:1: \{% extends %\} is not supported/);
  });

  it('refuses the ways to JavaScript’s prototypes and methods', () => {
    expect(refusal('{{ range.constructor("return process")() }}').message).toMatch(/only named functions/);
    expect(refusal('{% set f = range.constructor %}{{ f("return process") }}').message).toMatch(
      /:1: attribute constructor is not available/,
    );
    expect(refusal('{{ constructor }}').message).toMatch(/name constructor is not available/);
    expect(refusal('{% set k = "constructor" %}{{ range[k] }}').message).toMatch(/only constant attribute/);
    expect(refusal('{{ "a".replace("a", "b") }}').message).toMatch(/only named functions can be called/);
    expect(refusal('{{ x.__proto__ }}').message).toMatch(/attribute __proto__ is not available/);
  });

  it('allows the template’s own macros', () => {
    expect(render('{% macro req(n) %}Requires: {{ py3(n) }}{% endmacro %}{{ req("six") }}')).toContain(
      'Requires: python3-six',
    );
  });

  it('names the missing variable a function needs, with its line', () => {
    expect(refusal('Name: x\nVersion: {{ py2rpmversion() }}').message).toBe(
      "foo/foo.spec.j2:2: Variable 'upstream_version' not available in context but needed for 'py2rpmversion'",
    );
  });

  it('refuses upstream_version() without a version (it would read a downloaded archive)', () => {
    expect(refusal("{% set pypi_name = 'x' %}{% set upstream_version = upstream_version() %}").message).toMatch(
      /upstream_version\(\) without a version/,
    );
  });

  it('refuses a license renderspec has no fedora name for', () => {
    expect(refusal("{{ license('WTFPL') }}").message).toMatch(/license 'WTFPL' has no fedora name/);
  });

  it('refuses a version that is not a (comparator, version) pair', () => {
    expect(refusal("{{ py2pkg('six', '1.0') }}").message).toMatch(/must be a pair/);
  });

  it('reports a syntax error with its line', () => {
    expect(refusal('a\nb\n{% if %}').line).toBe(3);
  });

  it('bounds range()', () => {
    expect(refusal('{% for i in range(100000000) %}x{% endfor %}').message).toMatch(/range\(\) longer than/);
    expect(render('{% for i in range(3) %}{{ i }}{% endfor %}')).toContain('012');
  });

  it('stops a render that loops for too long, and one whose spec is too large', () => {
    const loops = '{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}';
    expect(() => renderSpecTemplate({ text: loops, file: 'foo/foo.spec.j2', timeoutMs: 200 })).toThrow(
      'foo/foo.spec.j2: rendering took longer than 0.2 s',
    );
    expect(refusal(`{% for a in range(5000) %}${'x'.repeat(1000)}{% endfor %}`).message).toMatch(
      /the rendered spec is larger than/,
    );
  });

  it('returns the URL of fetch_source without fetching it', () => {
    expect(render("{% set s = fetch_source('https://example.org/a/x-1.tar.gz') %}{{ s|basename }}")).toContain(
      'x-1.tar.gz',
    );
  });
});

describe('pymod2pkg for fedora', () => {
  it.each([
    ['oslo.config', ['py', 'py2', 'py3'], ['python-oslo-config', 'python-oslo-config', 'python3-oslo-config']],
    ['nova', ['py', 'py3'], ['openstack-nova', 'openstack-nova']],
    ['IPy', ['py3'], ['python-IPy-python3']],
    ['numpy', ['py', 'py3'], ['numpy', 'python3-numpy']],
    ['XStatic-jQuery.Migrate', ['py3'], ['python3-XStatic-jQuery-Migrate']],
    ['manila-ui', ['py'], ['openstack-manila-ui']],
    ['barbican-tempest-plugin', ['py3'], ['python3-barbican-tests-tempest']],
    ['foo-python-bar_baz', ['py'], ['python-foo']],
    ['python-novaclient', ['py3'], ['python3-novaclient']],
  ])('translates %s for %j', (mod, versions, expected) => {
    expect(module2package(mod, versions)).toEqual(expected);
  });
});

describe('PEP 440 as packaging.version parses it', () => {
  it.each([
    ['1.0.0.0rc1', '1.0.0.0', '1.0.0.0rc1'],
    ['2014.2.dev50', '2014.2', '2014.2.dev50'],
    ['1.0-alpha.2', '1.0', '1.0a2'],
    ['1!2.0.post3', '1!2.0', '1!2.0.post3'],
    ['v3.1', '3.1', '3.1'],
    ['1.0+local.7', '1.0', '1.0'],
  ])('%s: base %s, public %s', (text, base, pub) => {
    const version = parsePep440(text);
    expect(baseVersion(version)).toBe(base);
    expect(publicVersion(version)).toBe(pub);
  });

  it('refuses what is not a version', () => {
    expect(() => parsePep440('master')).toThrow('"master" is not a PEP 440 version');
  });
});
