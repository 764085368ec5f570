import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsString, Max, Min, ValidateBy } from 'class-validator';
import {
  buildDriverName,
  pkginfoDriverName,
  unknownDriverReason,
  type BuildDriverName,
  type PkginfoDriverName,
} from './driver-names.js';
import { IniOption } from './ini-option.decorator.js';
import { messages } from './ini-value.converters.js';

const RELEASE_NUMBERINGS = ['0.date.hash', '0.1.date.hash', 'minor.date.hash'] as const;

const IsPkginfoDriver = () =>
  ValidateBy(
    {
      name: 'isPkginfoDriver',
      validator: { validate: (v: unknown) => typeof v === 'string' && pkginfoDriverName(v) !== undefined },
    },
    { message: (a) => unknownDriverReason('pkginfo', a.value) },
  );

const IsBuildDriver = () =>
  ValidateBy(
    {
      name: 'isBuildDriver',
      validator: { validate: (v: unknown) => typeof v === 'string' && buildDriverName(v) !== undefined },
    },
    { message: (a) => unknownDriverReason('build', a.value) },
  );

/**
 * `[DEFAULT]` of projects.ini (dlrn/config.py DLRN_CORE_CONFIG), with DLRN's types and defaults.
 * `null` stands for DLRN's None. Differences from DLRN are noted on the property.
 */
export class DefaultSection {
  /** DLRN defaults to `<dlrn package>/../data`; we default to `data/` beside projects.ini. */
  @IniOption('datadir', 'path', 'data')
  @IsNotEmpty({ message: messages.notEmpty })
  datadir!: string;

  /** DLRN defaults to its installed `scripts/`; we default to `scripts/` beside projects.ini. */
  @IniOption('scriptsdir', 'path', 'scripts')
  @IsNotEmpty({ message: messages.notEmpty })
  scriptsdir!: string;

  /** Where `<target>.cfg` mock templates live; empty or absent means `scriptsdir`. */
  @IniOption('configdir', 'optional-path')
  configdir!: string;

  /** null: the templates shipped with the service (DLRN: its package's `templates/`). */
  @IniOption('templatedir', 'optional-path')
  templatedir!: string | null;

  @IniOption('baseurl', 'optional') baseurl!: string | null;
  @IniOption('distro', 'optional') distro!: string | null;
  @IniOption('source', 'optional') source!: string | null;
  @IniOption('target', 'optional') target!: string | null;

  @IniOption('project_name', 'string', 'RDO')
  @IsString()
  projectName!: string;

  /** DLRN has no fallback either; the .repo writer needs it (a run without it writes None.repo). */
  @IniOption('reponame', 'optional') reponame!: string | null;
  /** null (absent or empty): no e-mails. */
  @IniOption('smtpserver', 'optional') smtpserver!: string | null;

  @IniOption('maxretries', 'int', 3)
  @IsInt({ message: messages.integer })
  @Min(0, { message: messages.min(0) })
  maxretries!: number;

  /** Release tag to filter and apply in the package metadata; empty means no filter (null). */
  @IniOption('tags', 'optional') tags!: string | null;

  /** Present in the file (even empty) → open Gerrit reviews on failures. */
  @IniOption('gerrit', 'presence') gerrit!: string | null;

  @IniOption('gerrit_topic', 'string', 'rdo-FTBFS') @IsString() gerritTopic!: string;
  @IniOption('rsyncdest', 'string', '') @IsString() rsyncdest!: string;

  /** DLRN keeps a file value as an untyped string; we require a port number. */
  @IniOption('rsyncport', 'int', 22)
  @IsInt({ message: messages.integer })
  @Min(1, { message: messages.range(1, 65535) })
  @Max(65535, { message: messages.range(1, 65535) })
  rsyncport!: number;

  /**
   * Our addition: the known-hosts file ssh checks the mirror's host key against when rsyncing
   * to `rsyncdest` (host-key checking is on; DLRN turned it off). Empty: ssh's own default files.
   */
  @IniOption('rsync_known_hosts', 'optional-path') rsyncKnownHosts!: string | null;

  /** A Pool of 0 workers cannot build anything, so at least 1. */
  @IniOption('workers', 'int', 1)
  @IsInt({ message: messages.integer })
  @Min(1, { message: messages.min(1) })
  workers!: number;

  /** DLRN's SQLAlchemy URL, kept verbatim (our own stores are in `[service]`). */
  @IniOption('database_connection', 'string', 'sqlite:///commits.sqlite')
  @IsNotEmpty({ message: messages.notEmpty })
  databaseConnection!: string;

  /** As written (dotted DLRN class path or short name); see `pkginfoDriverName`. */
  @IniOption('pkginfo_driver', 'string', 'dlrn.drivers.rdoinfo.RdoInfoDriver')
  @IsPkginfoDriver()
  pkginfoDriver!: string;
  pkginfoDriverName!: PkginfoDriverName;

  @IniOption('build_driver', 'string', 'dlrn.drivers.mockdriver.MockBuildDriver')
  @IsBuildDriver()
  buildDriver!: string;
  buildDriverName!: BuildDriverName;

  @IniOption('fallback_to_master', 'bool', true)
  @IsBoolean({ message: messages.boolean })
  fallbackToMaster!: boolean;

  @IniOption('nonfallback_branches', 'list', ['^master$', '^rpm-master$'])
  nonfallbackBranches!: string[];

  /** DLRN treats unknown values as `0.date.hash`; we refuse them (a typo would go unnoticed). */
  @IniOption('release_numbering', 'string', '0.date.hash')
  @IsIn(RELEASE_NUMBERINGS, { message: messages.oneOf(RELEASE_NUMBERINGS) })
  releaseNumbering!: (typeof RELEASE_NUMBERINGS)[number];

  @IniOption('release_minor', 'string', '0') @IsString() releaseMinor!: string;
  @IniOption('custom_preprocess', 'list', []) customPreprocess!: string[];

  @IniOption('include_srpm_in_repo', 'bool', true)
  @IsBoolean({ message: messages.boolean })
  includeSrpmInRepo!: boolean;

  @IniOption('keep_changelog', 'bool', false)
  @IsBoolean({ message: messages.boolean })
  keepChangelog!: boolean;

  @IniOption('allow_force_rechecks', 'bool', false)
  @IsBoolean({ message: messages.boolean })
  allowForceRechecks!: boolean;

  @IniOption('use_components', 'bool', false)
  @IsBoolean({ message: messages.boolean })
  useComponents!: boolean;

  /** Empty: `<baseurl>/delorean-deps.repo`. */
  @IniOption('deps_url', 'string', '') @IsString() depsUrl!: string;

  /** DLRN sets this only from the command line (`--verbose-build`); never read from the file. */
  verboseBuild = false;
}
