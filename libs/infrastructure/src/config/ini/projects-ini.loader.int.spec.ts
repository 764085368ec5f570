import { hostname } from 'node:os';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, configErrorFrom } from '../../../../../test/support/config-fixtures.js';
import { loadProjectsIni } from './projects-ini.loader.js';

const seedIni = join(FIXTURES, 'seed-flock2017/projects.ini');
const sampleIni = join(FIXTURES, 'dlrn-sample/projects.ini');
const bad = (name: string) => join(FIXTURES, 'bad-ini', name);

function iniFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'dlrn-ini-')), 'projects.ini');
  writeFileSync(file, text);
  return file;
}

describe('when projects.ini is the one from the FLOCK 2017 talk', () => {
  const config = loadProjectsIni(seedIni);
  const here = join(FIXTURES, 'seed-flock2017');

  it('reads every option of the slide, resolving paths against the file', () => {
    expect(config.default).toMatchObject({
      datadir: join(here, 'rawhide-data'),
      scriptsdir: join(here, 'scripts'),
      templatedir: join(here, 'dlrn/templates'),
      baseurl: 'http://38.145.33.116/dlrn/',
      distro: 'master',
      source: 'master',
      target: 'fedora-rawhide',
      smtpserver: 'localhost',
      reponame: 'delorean',
      maxretries: 3,
      databaseConnection: 'sqlite:///rawhide.sqlite',
      fallbackToMaster: true,
    });
  });

  it("fills DLRN's defaults for what the slide leaves out", () => {
    expect(config.default).toMatchObject({
      configdir: join(here, 'scripts'),
      projectName: 'RDO',
      workers: 1,
      tags: null,
      gerrit: null,
      gerritTopic: 'rdo-FTBFS',
      rsyncport: 22,
      nonfallbackBranches: ['^master$', '^rpm-master$'],
      releaseNumbering: '0.date.hash',
      includeSrpmInRepo: true,
      pkginfoDriver: 'dlrn.drivers.rdoinfo.RdoInfoDriver',
      pkginfoDriverName: 'rdoinfo',
      buildDriver: 'dlrn.drivers.mockdriver.MockBuildDriver',
      buildDriverName: 'mock',
    });
    expect(config.rdoinfoDriver.infoFiles).toEqual(['rdo.yml']);
    expect(config.mockbuildDriver.installAfterBuild).toBe(true);
    expect(config.kojibuildDriver).toMatchObject({
      kojiExe: 'koji',
      scratchBuild: true,
      arch: 'x86_64',
      rhpkgTimeout: 3600,
    });
  });

  it('puts the service stores under datadir', () => {
    expect(config.service.eventStoreTarget).toEqual({
      kind: 'sqlite',
      url: `sqlite:///${join(here, 'rawhide-data/events.sqlite')}`,
      path: join(here, 'rawhide-data/events.sqlite'),
    });
    expect(config.service.readModelStore).toBe(`sqlite:///${join(here, 'rawhide-data/views.sqlite')}`);
    expect(config.service).toMatchObject({
      apiHost: '127.0.0.1',
      apiPort: 5000,
      pollInterval: 60,
      builderId: `${hostname().replace(/[^A-Za-z0-9._-]/g, '-')}-${process.pid}`,
    });
  });
});

describe('when projects.ini has every section, as DLRN ships it, plus [service]', () => {
  const config = loadProjectsIni(sampleIni);

  it('types lists, booleans and integers', () => {
    expect(config.default.nonfallbackBranches).toEqual(['^master$', '^main$', '^rpm-master$']);
    expect(config.default.customPreprocess).toEqual([]);
    expect(config.default.useComponents).toBe(true);
    expect(config.default.workers).toBe(4);
    expect(config.kojibuildDriver).toMatchObject({ scratchBuild: true, arch: 'aarch64' });
  });

  it('treats empty optional options as unset', () => {
    expect(config.default).toMatchObject({ smtpserver: null, tags: null, templatedir: null, depsUrl: '' });
  });

  it('reads [service], with a relative SQLite path against the file and PostgreSQL as is', () => {
    expect(config.service).toMatchObject({
      apiHost: '0.0.0.0',
      apiPort: 8080,
      protectReadEndpoints: true,
      authDrivers: ['DBAuthentication', 'KrbAuthentication'],
      pollInterval: 300,
      builderId: 'builder-east.2',
    });
    expect(config.service.eventStoreTarget).toMatchObject({
      kind: 'sqlite',
      path: join(FIXTURES, 'dlrn-sample/state/events.sqlite'),
    });
    expect(config.service.readModelStoreTarget).toEqual({
      kind: 'postgresql',
      url: 'postgresql://dlrn:secret@db.example.org:5432/dlrn',
      history: true,
    });
  });
});

describe('when projects.ini uses configparser syntax the ini package alone would misread', () => {
  const config = loadProjectsIni(join(FIXTURES, 'ini-syntax/projects.ini'));

  it("keeps values verbatim: ':' delimiter, '#' and ';' inside values, quotes, continuations", () => {
    expect(config.default.baseurl).toBe('https://trunk.example.org/repos/#fragment-kept');
    expect(config.default.reponame).toBe('"quoted"');
    expect(config.default.customPreprocess).toEqual(['/usr/bin/first.sh;--flag', '\n/usr/bin/second.sh']);
    expect(config.default.datadir).toBe(join(FIXTURES, 'ini-syntax/data'));
  });

  it('keeps an empty gerrit option, which switches reviews on', () => {
    expect(config.default.gerrit).toBe('');
    expect(config.default.tags).toBe('flamingo');
    expect(config.service.apiPort).toBe(5001);
  });
});

describe('when booleans are spelled as configparser allows', () => {
  it.each([
    ['YES', true],
    ['On', true],
    ['1', true],
    ['TRUE', true],
    ['no', false],
    ['OFF', false],
    ['0', false],
    ['False', false],
  ])('reads %s as %s', (word, expected) => {
    const file = iniFile(`baseurl=http://x/\ntarget=t\nkeep_changelog=${word}\n`);
    expect(loadProjectsIni(file).default.keepChangelog).toBe(expected);
  });
});

describe('when an option is set in [DEFAULT] only', () => {
  it('is inherited by the driver section, as configparser does', () => {
    const file = iniFile('[DEFAULT]\nbaseurl=http://x/\ntarget=t\nkoji_exe=cbs\n[kojibuild_driver]\narch=ppc64le\n');
    expect(loadProjectsIni(file).kojibuildDriver).toMatchObject({ kojiExe: 'cbs', arch: 'ppc64le' });
  });
});

describe('when drivers are named by short name', () => {
  it('keeps what was written and the short name', () => {
    const file = iniFile(
      'baseurl=http://x/\npkginfo_driver=downstream\nbuild_driver=rpmbuild\n' +
        '[downstream_driver]\ninfo_files=foo.yml\nversions_url=https://a/versions.csv,https://b/versions.csv\ndownstream_distro_branch=foo-1\n',
    );
    const config = loadProjectsIni(file);
    expect(config.default).toMatchObject({
      pkginfoDriver: 'downstream',
      pkginfoDriverName: 'downstream',
      buildDriverName: 'rpmbuild',
    });
    expect(config.downstreamDriver.versionsUrl).toEqual(['https://a/versions.csv', 'https://b/versions.csv']);
  });
});

describe('when overrides are given', () => {
  it('applies them before validation, and reports a bad value as coming from the override', () => {
    expect(loadProjectsIni(sampleIni, ['DEFAULT.workers=9']).default.workers).toBe(9);
    const error = configErrorFrom(() => loadProjectsIni(sampleIni, ['DEFAULT.workers=many']));
    expect(error.message).toBe(
      `${sampleIni}: [DEFAULT] workers: expected an integer, got 'many' (from --config-override)`,
    );
  });
});

describe('when a value is not of its type', () => {
  it('refuses the integer naming file, section, option and line', () => {
    const file = bad('bad-integer.ini');
    const error = configErrorFrom(() => loadProjectsIni(file));
    expect(error.message).toBe(`${file}: [DEFAULT] maxretries: expected an integer, got 'three' (line 12)`);
    expect(error).toMatchObject({ file, section: 'DEFAULT', key: 'maxretries', line: 12 });
  });

  it('refuses a boolean that configparser would refuse', () => {
    expect(configErrorFrom(() => loadProjectsIni(bad('bad-boolean.ini'))).message).toContain(
      "[DEFAULT] fallback_to_master: expected a boolean (1/yes/true/on or 0/no/false/off), got 'maybe' (line 4)",
    );
  });

  it('refuses a port out of range', () => {
    expect(configErrorFrom(() => loadProjectsIni(bad('port-out-of-range.ini'))).message).toContain(
      '[service] api_port: must be between 1 and 65535, got 70000 (line 6)',
    );
  });
});

describe('when the file has names DLRN does not know', () => {
  it('refuses an unknown option with a suggestion', () => {
    const error = configErrorFrom(() => loadProjectsIni(bad('unknown-option.ini')));
    expect(error.message).toContain("[DEFAULT] maxretry: unknown option (did you mean 'maxretries'?) (line 4)");
  });

  it('refuses an unknown section with a suggestion', () => {
    const error = configErrorFrom(() => loadProjectsIni(bad('unknown-section.ini')));
    expect(error.message).toContain("unknown section [rdoinfo-driver] (did you mean 'rdoinfo_driver'?) (line 5)");
  });

  it('says where a misplaced option belongs', () => {
    expect(configErrorFrom(() => loadProjectsIni(bad('misplaced-option.ini'))).message).toContain(
      '[rdoinfo_driver] datadir: unknown option (it belongs in [DEFAULT]) (line 6)',
    );
  });

  it('refuses an unknown driver class with the near spelling', () => {
    expect(configErrorFrom(() => loadProjectsIni(bad('unknown-driver.ini'))).message).toContain(
      "unknown pkginfo driver 'dlrn.drivers.rdoinfo.RdoinfoDriver' (did you mean 'dlrn.drivers.rdoinfo.RdoInfoDriver'?)",
    );
  });

  it('refuses a build driver named as the pkginfo driver', () => {
    const error = configErrorFrom(() => loadProjectsIni(iniFile('baseurl=http://x/\ntarget=t\npkginfo_driver=mock\n')));
    expect(error.reason).toContain("'mock' is a build driver");
  });
});

describe('when a builder publishes to a central service (publish_to)', () => {
  const ini = (baseurl: string, service: string) =>
    iniFile(`[DEFAULT]\nbaseurl=${baseurl}\ntarget=t\n[service]\n${service}`);

  it('takes the URL and the credentials', () => {
    const config = loadProjectsIni(
      ini('http://w1:5000/repos', 'publish_to=https://dlrn.example.org/\npublish_username=w1\npublish_password=pw\n'),
    );
    expect(config.service).toMatchObject({ publishTo: 'https://dlrn.example.org/', publishUsername: 'w1' });
  });

  it.each([
    ['publish_to=https://dlrn.example.org\npublish_password=pw\n', 'publish_username: is required with publish_to'],
    ['publish_to=https://dlrn.example.org\npublish_username=w1\n', 'publish_password: is required with publish_to'],
    ['publish_username=w1\n', 'publish_username: is set but publish_to is not'],
    [
      'publish_to=https://u:p@dlrn.example.org\n',
      "publish_to: expected the central API's http(s) base URL, without credentials",
    ],
    ['publish_to=ftp://dlrn.example.org\n', "publish_to: expected the central API's http(s) base URL"],
  ])('refuses %j naming the key', (service, message) => {
    expect(configErrorFrom(() => loadProjectsIni(ini('http://w1/repos', service))).message).toContain(message);
  });

  it('refuses a baseurl the central service could not download from', () => {
    const error = configErrorFrom(() =>
      loadProjectsIni(ini('file:///srv/repos', 'publish_to=https://c\npublish_username=w\npublish_password=p\n')),
    );
    expect(error).toMatchObject({ section: 'DEFAULT', key: 'baseurl' });
    expect(error.reason).toContain('for publish_to');
  });
});

describe('when the file is malformed', () => {
  it('refuses the line that is not an option', () => {
    const error = configErrorFrom(() => loadProjectsIni(bad('malformed-line.ini')));
    expect(error.line).toBe(4);
  });

  it('refuses an option set twice', () => {
    expect(configErrorFrom(() => loadProjectsIni(bad('duplicate-option.ini'))).message).toContain(
      '[DEFAULT] workers: option set twice in the same section (first at line 4) (line 5)',
    );
  });

  it('refuses a missing file', () => {
    expect(configErrorFrom(() => loadProjectsIni(bad('nope.ini'))).reason).toBe('file not found');
  });
});

describe('when a run would be impossible', () => {
  it('refuses a config with neither baseurl nor deps_url', () => {
    expect(configErrorFrom(() => loadProjectsIni(bad('missing-baseurl.ini'))).message).toContain(
      '[DEFAULT] baseurl: is required',
    );
  });

  it('accepts no baseurl when deps_url is set', () => {
    expect(loadProjectsIni(iniFile('target=t\ndeps_url=file:///srv/deps.repo\n')).default.baseurl).toBeNull();
  });

  it('view_history: on by default, off passed to the read-model store', () => {
    expect(loadProjectsIni(iniFile('baseurl=http://x/\ntarget=t\n')).service.readModelStoreTarget.history).toBe(true);
    const off = loadProjectsIni(iniFile('baseurl=http://x/\ntarget=t\n[service]\nview_history=false\n'));
    expect(off.service.readModelStoreTarget).toMatchObject({ kind: 'sqlite', history: false });
  });

  it('refuses the koji driver without a build target', () => {
    expect(configErrorFrom(() => loadProjectsIni(bad('koji-without-target.ini'))).message).toContain(
      '[kojibuild_driver] build_target: is required by the koji build driver',
    );
  });

  it('refuses a mock build without target, but not a host rpmbuild', () => {
    expect(configErrorFrom(() => loadProjectsIni(iniFile('baseurl=http://x/\n'))).key).toBe('target');
    expect(loadProjectsIni(iniFile('baseurl=http://x/\nbuild_driver=rpmbuild\n')).default.target).toBeNull();
  });
});

describe('[service] auto_bisect (issue 20)', () => {
  it('is on by default, off when set so', () => {
    expect(loadProjectsIni(iniFile('baseurl=http://x/\ntarget=t\n')).service.autoBisect).toBe(true);
    const off = loadProjectsIni(iniFile('baseurl=http://x/\ntarget=t\n[service]\nauto_bisect=false\n'));
    expect(off.service.autoBisect).toBe(false);
  });

  it('refuses what is not a boolean, naming the key and line', () => {
    expect(
      configErrorFrom(() => loadProjectsIni(iniFile('baseurl=http://x/\ntarget=t\n[service]\nauto_bisect=often\n')))
        .message,
    ).toContain("[service] auto_bisect: expected a boolean (1/yes/true/on or 0/no/false/off), got 'often' (line 4)");
  });
});

describe('when [service] names other stores', () => {
  it('accepts KurrentDB and EventStoreDB URLs for events', () => {
    const kurrent = loadProjectsIni(
      iniFile('baseurl=http://x/\ntarget=t\n[service]\nevent_store=kurrentdb://localhost:2113?tls=false\n'),
    );
    expect(kurrent.service.eventStoreTarget).toEqual({
      kind: 'kurrentdb',
      url: 'kurrentdb://localhost:2113?tls=false',
    });
    const esdb = loadProjectsIni(iniFile('baseurl=http://x/\ntarget=t\n[service]\nevent_store=esdb://node1:2113\n'));
    expect(esdb.service.eventStoreTarget.kind).toBe('kurrentdb');
  });

  it('accepts PostgreSQL URLs for events, postgresql:// and postgres:// alike', () => {
    for (const url of ['postgresql://dlrn@db/dlrn?schema=events', 'postgres://dlrn@db/dlrn']) {
      const config = loadProjectsIni(iniFile(`baseurl=http://x/\ntarget=t\n[service]\nevent_store=${url}\n`));
      expect(config.service.eventStoreTarget).toEqual({ kind: 'postgresql', url });
    }
  });

  it('keeps an absolute SQLite path as is', () => {
    const config = loadProjectsIni(
      iniFile('baseurl=http://x/\ntarget=t\n[service]\nread_model_store=sqlite:////var/lib/dlrn/views.sqlite\n'),
    );
    expect(config.service.readModelStoreTarget).toEqual({
      kind: 'sqlite',
      url: 'sqlite:////var/lib/dlrn/views.sqlite',
      history: true,
      path: '/var/lib/dlrn/views.sqlite',
    });
  });

  it('refuses a store it cannot use, and an unknown authentication driver', () => {
    const mysql = configErrorFrom(() =>
      loadProjectsIni(iniFile('baseurl=http://x/\ntarget=t\n[service]\nevent_store=mysql://db/x\n')),
    );
    expect(mysql.message).toContain(
      "[service] event_store: expected sqlite:///<path>, postgresql://…, kurrentdb://… or esdb://…, got 'mysql://db/x' (line 4)",
    );
    const auth = configErrorFrom(() =>
      loadProjectsIni(iniFile('baseurl=http://x/\ntarget=t\n[service]\nauth_drivers=DBAuthentication,Ldap\n')),
    );
    expect(auth.reason).toBe("unknown authentication driver 'Ldap'; expected DBAuthentication or KrbAuthentication");
  });
});

describe('when a section or option is spelled in a way DLRN would not read', () => {
  it('suggests [DEFAULT] for [default], since section names are case-sensitive', () => {
    expect(configErrorFrom(() => loadProjectsIni(iniFile('[default]\nbaseurl=http://x/\n'))).reason).toBe(
      "unknown section [default] (did you mean 'DEFAULT'?)",
    );
  });

  it('explains that verbose_build comes from the command line', () => {
    expect(
      configErrorFrom(() => loadProjectsIni(iniFile('baseurl=http://x/\ntarget=t\nverbose_build=1\n'))).reason,
    ).toContain('--verbose-build');
  });

  it('accepts an empty [local_driver] section', () => {
    expect(
      loadProjectsIni(iniFile('baseurl=http://x/\ntarget=t\npkginfo_driver=local\n[local_driver]\n')).default
        .pkginfoDriverName,
    ).toBe('local');
  });
});
