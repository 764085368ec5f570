import { describe, expect, it } from 'vitest';
import { dependencyOrder, parseSpecDependencies } from './dependency-order.js';

const spec = (name: string, extra: string) => `Name: ${name}\nVersion: 1\n${extra}\n%description\nx\n`;

describe('--order: dependency order of specs', () => {
  it('reads provides and requires, with sub-packages and versions stripped', () => {
    const deps = parseSpecDependencies(
      'python-oslo-config',
      spec(
        'python-oslo-config',
        'BuildRequires: python3-pbr >= 2.0, git\nRequires: python3-six\n%package -n python3-oslo-config\nSummary: s\n%package doc\nProvides: oslo-config = 1',
      ),
    );
    expect(deps.provides).toEqual([
      'python-oslo-config',
      'python3-oslo-config',
      'python-oslo-config-doc',
      'oslo-config',
    ]);
    expect(deps.requires).toEqual(['python3-pbr', 'git', 'python3-six']);
  });

  it("expands the spec's own %global and %define macros in a spec read as written, as DLRN's RpmSpecFile", () => {
    const deps = parseSpecDependencies(
      'python-oslo-config',
      '%global pypi python-%{srcname}\n%define srcname oslo-config\n' +
        spec(
          '%{pypi}',
          'BuildRequires: python3-%{srcname}-tests %{?missing}\nRequires: %{undefined_macro}-x\n%package -n python3-%{srcname}\nSummary: s',
        ),
    );
    expect(deps.provides).toEqual(['python-oslo-config', 'python3-oslo-config']);
    // A macro left unexpanded names nothing: it is dropped, as before.
    expect(deps.requires).toEqual(['python3-oslo-config-tests']);
  });

  it('stops expanding a macro that refers to itself', () => {
    const deps = parseSpecDependencies('loop', spec('loop', '%global a x%{a}\nRequires: %{a}'));
    expect(deps.requires).toEqual(['xxxxxxxxxx%{a}']);
  });

  describe('when packages build-require each other', () => {
    it('puts providers first, whatever the input order', () => {
      const specs = [
        parseSpecDependencies('nova', spec('nova', 'BuildRequires: python3-oslo-config')),
        parseSpecDependencies(
          'oslo',
          spec('oslo', 'BuildRequires: python3-pbr\n%package -n python3-oslo-config\nSummary: s'),
        ),
        parseSpecDependencies('pbr', spec('pbr', '%package -n python3-pbr\nSummary: s')),
      ];
      expect(dependencyOrder(specs)).toEqual({ order: ['pbr', 'oslo', 'nova'], cycles: [] });
    });
  });

  describe('when there is a cycle', () => {
    it('breaks it and reports it', () => {
      const specs = [
        parseSpecDependencies('a', spec('a', 'BuildRequires: b')),
        parseSpecDependencies('b', spec('b', 'Requires: a')),
      ];
      const result = dependencyOrder(specs);
      expect(result.order).toEqual(['b', 'a']);
      expect(result.cycles).toEqual([['a', 'b', 'a']]);
    });
  });
});
