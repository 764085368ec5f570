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

  describe('when macro names start with A, Z, a, z or _ and hold digits', () => {
    it('expands each of them', () => {
      const deps = parseSpecDependencies(
        'm',
        '%global A_az09AZ one\n%global Zz two\n%global a2 three\n%define z3 four\n%global _u five\n' +
          spec('m', 'Requires: %{A_az09AZ} %{Zz} %{?a2} %{z3} %{_u}'),
      );
      expect(deps.requires).toEqual(['one', 'two', 'three', 'four', 'five']);
    });
  });

  describe('when a %global or %package line is commented out', () => {
    it('defines and provides nothing', () => {
      const deps = parseSpecDependencies(
        'nova',
        spec('nova', '# %global extra python3-extra\n# %package doc\nRequires: %{extra}x'),
      );
      expect(deps.provides).toEqual(['nova']);
      expect(deps.requires).toEqual([]);
    });
  });

  describe('when tags, %global and %package have extra or no spaces', () => {
    it('reads them all', () => {
      const deps = parseSpecDependencies(
        'nova',
        '%global  srcname  nova\n' +
          spec(
            'nova',
            'BuildRequires : python3-a\nRequires:python3-b\n%package  doc\n%package -n  python3-%{srcname}\nRequires: %{srcname}-c',
          ),
      );
      expect(deps.provides).toEqual(['nova', 'nova-doc', 'python3-nova']);
      expect(deps.requires).toEqual(['python3-a', 'python3-b', 'nova-c']);
    });
  });

  describe('when the spec has CRLF line ends', () => {
    it('reads its lines as with LF', () => {
      const deps = parseSpecDependencies('nova', 'Name: nova\r\nRequires: python3-a\r\n%package doc\r\n');
      expect(deps).toEqual({ package: 'nova', provides: ['nova', 'nova-doc'], requires: ['python3-a'] });
    });
  });

  describe('when a spec uses %{name}', () => {
    it('expands it to the Name read so far', () => {
      const deps = parseSpecDependencies('openstack-nova', spec('openstack-nova', 'Requires: %{name}-common'));
      expect(deps.requires).toEqual(['openstack-nova-common']);
    });
  });

  describe('when an optional macro is undefined inside a name', () => {
    it('drops the macro and keeps the name', () => {
      const deps = parseSpecDependencies('nova', spec('nova', 'Requires: python3-a%{?py_suffix}'));
      expect(deps.requires).toEqual(['python3-a']);
    });
  });

  describe('when a macro expands to nothing before the Name', () => {
    it('takes the Name without the space left', () => {
      const deps = parseSpecDependencies('nova', spec('%{?prefix} nova', '%package doc'));
      expect(deps.provides).toEqual(['nova', 'nova-doc']);
    });
  });

  describe('when a requirement is a rich dependency', () => {
    it('skips it, even after a macro that expands to nothing', () => {
      const deps = parseSpecDependencies(
        'nova',
        spec(
          'nova',
          'Requires: (python3-a or python3-b)\nRequires: %{?nothing} (python3-c if python3-d)\nRequires: python3-e',
        ),
      );
      expect(deps.requires).toEqual(['python3-e']);
    });

    it('skips it after a plain requirement, nested groups included, and keeps what follows', () => {
      const deps = parseSpecDependencies(
        'nova',
        spec('nova', 'Requires: python3-a, (python3-b if (python3-c or python3-d)), python3-e >= 2'),
      );
      expect(deps.requires).toEqual(['python3-a', 'python3-e']);
    });

    it('skips what follows a nested group inside its group', () => {
      const deps = parseSpecDependencies(
        'nova',
        spec('nova', 'Requires: python3-a, (python3-b if (python3-c or python3-d) else python3-f), python3-e'),
      );
      expect(deps.requires).toEqual(['python3-a', 'python3-e']);
    });

    it('drops a stray closing parenthesis and the rest after an unclosed group', () => {
      const deps = parseSpecDependencies('nova', spec('nova', 'Requires: python3-a) python3-b (python3-c python3-d'));
      expect(deps.requires).toEqual(['python3-a', 'python3-b']);
    });
  });

  describe('when Requires has scriptlet qualifiers', () => {
    it('reads Requires(post) and Requires(pre,postun) as requirements', () => {
      const deps = parseSpecDependencies(
        'nova',
        spec('nova', 'Requires(post): systemd\nRequires(pre,postun): shadow-utils'),
      );
      expect(deps.requires).toEqual(['systemd', 'shadow-utils']);
    });
  });

  describe('when another tag ends in Requires', () => {
    it('does not read OrderWithRequires as Requires', () => {
      const deps = parseSpecDependencies('nova', spec('nova', 'OrderWithRequires: python3-a'));
      expect(deps.requires).toEqual([]);
    });
  });

  describe('when requirements are listed with commas, without spaces or with a trailing comma', () => {
    it('reads each name once', () => {
      const deps = parseSpecDependencies('nova', spec('nova', 'Requires: python3-a,python3-b,'));
      expect(deps.requires).toEqual(['python3-a', 'python3-b']);
    });
  });

  describe('when requirements carry every version operator', () => {
    it('keeps the names, not the operators or the versions', () => {
      const deps = parseSpecDependencies(
        'nova',
        spec('nova', 'Requires: a < 0.9, b <= 9.0, c > 1, d = 2, e >= 3, f == 4'),
      );
      expect(deps.requires).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    });
  });

  describe('when an operator is written against the name or the version', () => {
    it('keeps the names, as rpm reads them (no name like a>=1.0 that nothing provides)', () => {
      const deps = parseSpecDependencies('nova', spec('nova', 'Requires: a>=1.0, b >=2, c<= 3, d =4'));
      expect(deps.requires).toEqual(['a', 'b', 'c', 'd']);
    });
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

  describe('when two packages provide the same name', () => {
    it('takes the first as its provider', () => {
      const specs = [
        parseSpecDependencies('a', spec('a', 'Requires: python3-x')),
        parseSpecDependencies('b', spec('b', 'Provides: python3-shared')),
        parseSpecDependencies('c', spec('c', 'Provides: python3-shared')),
        parseSpecDependencies('x', spec('x', 'Provides: python3-x\nRequires: python3-shared')),
      ];
      expect(dependencyOrder(specs)).toEqual({ order: ['b', 'x', 'a', 'c'], cycles: [] });
    });
  });

  describe('when a package requires what nobody provides, or what it provides itself', () => {
    it('orders only the packages, and reports no cycle', () => {
      const specs = [
        parseSpecDependencies('a', spec('a', 'Requires: glibc, a-common\nProvides: a-common')),
        parseSpecDependencies('b', spec('b', 'Requires: a')),
      ];
      expect(dependencyOrder(specs)).toEqual({ order: ['a', 'b'], cycles: [] });
    });
  });

  describe('when a cycle is reached from a package outside it', () => {
    it('reports the cycle alone, from where it starts', () => {
      const specs = [
        parseSpecDependencies('x', spec('x', 'Requires: a')),
        parseSpecDependencies('a', spec('a', 'Requires: b')),
        parseSpecDependencies('b', spec('b', 'Requires: a')),
      ];
      expect(dependencyOrder(specs)).toEqual({ order: ['b', 'a', 'x'], cycles: [['a', 'b', 'a']] });
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
