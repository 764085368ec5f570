import { dirname, resolve } from 'node:path';
import ini from 'ini';
import { ConfigError } from '../shared/config.error.js';
import { readBoundedTextFile } from '../shared/bounded-file.reader.js';
import { applyOverrides } from './config-override.js';
import { DefaultSection } from './default.section.js';
import { buildDriverName, pkginfoDriverName } from './driver-names.js';
import { SECTION_CLASSES, type DlrnConfig } from './dlrn-config.js';
import { resolvePath } from './ini-value.converters.js';
import { DEFAULT_SECTION, scanIni, type IniEntry } from './ini.scanner.js';
import { buildSection, checkKnownNames, type BuildContext, type FoundValue } from './section.builder.js';
import { NotifySection, notifyConfig } from './notify.section.js';
import { ServiceSection, type EventStoreTarget, type ReadModelStoreTarget } from './service.section.js';
import { WebhooksSection, webhooksConfig } from './webhooks.section.js';
import { ChangesSection, changesConfig } from './changes.section.js';

/**
 * `ini` decodes the values. It is handed a canonical rendering of what the scanner read, each
 * value JSON-quoted: given the raw file it would cut values at the first ';' or '#', strip
 * quotes, and misread configparser's `key: value` and continuation lines, whereas DLRN's
 * RawConfigParser keeps all of those verbatim.
 */
function decodeWithIni(entries: readonly IniEntry[]): Map<string, string> {
  const bySection = new Map<string, IniEntry[]>();
  for (const entry of entries) {
    bySection.set(entry.section, [...(bySection.get(entry.section) ?? []), entry]);
  }
  const canonical = [...bySection]
    .map(([section, list]) => [`[${section}]`, ...list.map((e) => `${e.key} = ${JSON.stringify(e.value)}`)].join('\n'))
    .join('\n');
  const parsed = ini.parse(canonical) as Record<string, Record<string, unknown>>;
  const values = new Map<string, string>();
  for (const entry of entries) {
    // ini turns the words true/false/null into JSON values; String() gives the text back.
    values.set(`${entry.section}\0${entry.key}`, String(parsed[entry.section]?.[entry.key]));
  }
  return values;
}

function sqlitePath(url: string, iniDir: string): string {
  const rest = url.slice('sqlite:///'.length);
  return rest === ':memory:' ? rest : resolvePath(iniDir, rest);
}

function eventStoreTarget(url: string, iniDir: string): EventStoreTarget {
  if (url.startsWith('postgres')) return { kind: 'postgresql', url };
  if (!url.startsWith('sqlite:')) return { kind: 'kurrentdb', url };
  const path = sqlitePath(url, iniDir);
  return { kind: 'sqlite', url: `sqlite:///${path}`, path };
}

function readModelStoreTarget(url: string, iniDir: string): ReadModelStoreTarget {
  if (!url.startsWith('sqlite:')) return { kind: 'postgresql', url };
  const path = sqlitePath(url, iniDir);
  return { kind: 'sqlite', url: `sqlite:///${path}`, path };
}

/**
 * Refuses only what makes every run impossible, naming the option. Options DLRN leaves as None
 * and that a run can do without stay null: `distro`/`source` (packages may carry their own
 * branches; checked per package once packages are known), `reponame`, `smtpserver`.
 */
function checkRunnable(config: DlrnConfig, file: string): void {
  const d = config.default;
  const refuse = (section: string, key: string, reason: string): never => {
    throw new ConfigError({ file, section, key, reason });
  };
  if (d.baseurl === null && d.depsUrl === '') {
    refuse(
      DEFAULT_SECTION,
      'baseurl',
      'is required (it names the published repos, and without it or deps_url every build fails with "No baseurl defined")',
    );
  }
  // SRPMs are always built in mock from <configdir>/<target>.cfg, whatever the build driver,
  // except with our own host rpmbuild driver.
  if (d.target === null && d.buildDriverName !== 'rpmbuild') {
    refuse(
      DEFAULT_SECTION,
      'target',
      `is required with the ${d.buildDriverName} build driver (mock template <configdir>/<target>.cfg)`,
    );
  }
  if (d.pkginfoDriverName === 'rdoinfo' && config.rdoinfoDriver.infoFiles.length === 0) {
    refuse('rdoinfo_driver', 'info_files', 'must name at least one info file');
  }
  if (d.pkginfoDriverName === 'downstream') {
    const s = config.downstreamDriver;
    if (s.infoFiles.length === 0) refuse('downstream_driver', 'info_files', 'is required by the downstream driver');
    if (s.versionsUrl.length === 0) refuse('downstream_driver', 'versions_url', 'is required by the downstream driver');
    if (s.downstreamDistroBranch === null)
      refuse('downstream_driver', 'downstream_distro_branch', 'is required by the downstream driver');
  }
  if (d.pkginfoDriverName === 'gitrepo' && config.gitrepoDriver.repo === null) {
    refuse('gitrepo_driver', 'repo', 'is required by the gitrepo driver (the packaging repository)');
  }
  const service = config.service;
  if (service.publishTo !== '') {
    if (service.publishUsername === '' || service.publishPassword === '') {
      refuse(
        'service',
        service.publishUsername === '' ? 'publish_username' : 'publish_password',
        'is required with publish_to',
      );
    }
    if (d.baseurl === null || !/^https?:\/\//.test(d.baseurl)) {
      refuse(DEFAULT_SECTION, 'baseurl', 'must be the http(s) URL this builder serves its repos/ at, for publish_to');
    }
  } else if (service.publishUsername !== '' || service.publishPassword !== '') {
    refuse(
      'service',
      service.publishUsername !== '' ? 'publish_username' : 'publish_password',
      'is set but publish_to is not',
    );
  }
  if (d.buildDriverName === 'koji' && config.kojibuildDriver.buildTarget === null) {
    refuse('kojibuild_driver', 'build_target', 'is required by the koji build driver');
  }
  if (d.buildDriverName === 'copr' && config.coprbuildDriver.coprid === null) {
    refuse('coprbuild_driver', 'coprid', 'is required by the copr build driver (owner/project)');
  }
}

/**
 * Reads projects.ini (DLRN's format) plus our `[service]` section, applies
 * `--config-override section.option=value` rules, and returns the validated configuration.
 * Throws ConfigError naming the file, option and line of the first problem.
 */
export function loadProjectsIni(file: string, overrides: readonly string[] = []): DlrnConfig {
  const configFile = resolve(file);
  const iniDir = dirname(configFile);
  const text = readBoundedTextFile(configFile, file);
  const scanned = scanIni(text, file);
  applyOverrides(scanned, overrides, file);
  checkKnownNames(scanned, file);

  const values = decodeWithIni(scanned.entries);
  const find = (section: string, option: string): FoundValue | undefined => {
    const entry = scanned.entries.find((e) => e.section === section && e.key === option);
    return entry === undefined ? undefined : { value: values.get(`${section}\0${option}`) ?? entry.value, entry };
  };
  const ctx: BuildContext = {
    file,
    iniDir,
    // Deliberate difference: DLRN only sees [DEFAULT] values in a driver section when that
    // section's header is in the file; we always inherit, as configparser itself does.
    lookup: (section, option) =>
      find(section, option) ?? (section === DEFAULT_SECTION ? undefined : find(DEFAULT_SECTION, option)),
  };

  const defaults = buildSection(DefaultSection, DEFAULT_SECTION, ctx);
  // DLRN: `if not self.configdir: self.configdir = self.scriptsdir`.
  defaults.configdir = (defaults.configdir as string | null) ?? defaults.scriptsdir;
  defaults.pkginfoDriverName = pkginfoDriverName(defaults.pkginfoDriver) ?? 'rdoinfo';
  defaults.buildDriverName = buildDriverName(defaults.buildDriver) ?? 'mock';

  const service = buildSection(ServiceSection, 'service', ctx, {
    eventStore: `sqlite:///${defaults.datadir}/events.sqlite`,
    readModelStore: `sqlite:///${defaults.datadir}/views.sqlite`,
  });
  service.eventStoreTarget = eventStoreTarget(service.eventStore, iniDir);
  service.readModelStoreTarget = {
    ...readModelStoreTarget(service.readModelStore, iniDir),
    history: service.viewHistory,
  };

  const config: DlrnConfig = {
    configFile,
    configFileShown: file,
    default: defaults,
    rdoinfoDriver: buildSection(SECTION_CLASSES.rdoinfo_driver, 'rdoinfo_driver', ctx),
    downstreamDriver: buildSection(SECTION_CLASSES.downstream_driver, 'downstream_driver', ctx),
    gitrepoDriver: buildSection(SECTION_CLASSES.gitrepo_driver, 'gitrepo_driver', ctx),
    mockbuildDriver: buildSection(SECTION_CLASSES.mockbuild_driver, 'mockbuild_driver', ctx),
    kojibuildDriver: buildSection(SECTION_CLASSES.kojibuild_driver, 'kojibuild_driver', ctx),
    coprbuildDriver: buildSection(SECTION_CLASSES.coprbuild_driver, 'coprbuild_driver', ctx),
    service,
    notify: notifyConfig(buildSection(NotifySection, 'notify', ctx), file),
    webhooks: webhooksConfig(buildSection(WebhooksSection, 'webhooks', ctx)),
    changes: changesConfig(buildSection(ChangesSection, 'changes', ctx), file),
  };
  checkRunnable(config, file);
  return config;
}
