import { IsBoolean, IsInt, IsString, Min } from 'class-validator';
import { IniOption } from './ini-option.decorator.js';
import { messages } from './ini-value.converters.js';

// Driver sections of projects.ini, each driver's DRIVER_CONFIG in DLRN. DLRN reads a section only
// for the selected drivers; we parse and check every section present so a typo in a section that
// is switched on later does not wait for that day, and fill defaults for the others.

/** `[rdoinfo_driver]` (dlrn/drivers/rdoinfo.py). */
export class RdoinfoDriverSection {
  /** Git URL of an rdoinfo fork, cloned to `<datadir>/rdoinfo` by each pass; a local path is read in place. */
  @IniOption('repo', 'optional') repo!: string | null;
  @IniOption('info_files', 'list', ['rdo.yml']) infoFiles!: string[];
  @IniOption('cache_dir', 'optional') cacheDir!: string | null;
}

/** `[downstream_driver]` (dlrn/drivers/downstream.py). */
export class DownstreamDriverSection {
  @IniOption('repo', 'optional') repo!: string | null;
  @IniOption('info_files', 'list', []) infoFiles!: string[];
  /** One or more versions.csv URLs; a later file overrides earlier ones. */
  @IniOption('versions_url', 'list', []) versionsUrl!: string[];
  @IniOption('downstream_distro_branch', 'optional') downstreamDistroBranch!: string | null;
  @IniOption('downstream_tag', 'optional') downstreamTag!: string | null;
  @IniOption('downstream_distgit_key', 'string', 'distgit')
  @IsString()
  downstreamDistgitKey!: string;
  @IniOption('downstream_source_git_key', 'optional') downstreamSourceGitKey!: string | null;
  @IniOption('downstream_source_git_branch', 'optional') downstreamSourceGitBranch!: string | null;
  @IniOption('use_upstream_spec', 'bool', false)
  @IsBoolean({ message: messages.boolean })
  useUpstreamSpec!: boolean;
  /** `regex/replacement` pairs applied to the spec after copying. */
  @IniOption('downstream_spec_replace_list', 'list', []) downstreamSpecReplaceList!: string[];
  @IniOption('cache_dir', 'optional') cacheDir!: string | null;
}

/** `[gitrepo_driver]` (dlrn/drivers/gitrepo.py). */
export class GitrepoDriverSection {
  @IniOption('repo', 'optional') repo!: string | null;
  /** DLRN attribute `gitrepo_dirs`. */
  @IniOption('directory', 'list', []) directory!: string[];
  /** DLRN attribute `skip_dirs`. */
  @IniOption('skip', 'list', []) skip!: string[];
  @IniOption('use_version_from_spec', 'bool', false)
  @IsBoolean({ message: messages.boolean })
  useVersionFromSpec!: boolean;
  @IniOption('keep_tarball', 'bool', false)
  @IsBoolean({ message: messages.boolean })
  keepTarball!: boolean;
}

/** `[mockbuild_driver]` (dlrn/drivers/mockdriver.py). */
export class MockbuildDriverSection {
  @IniOption('install_after_build', 'bool', true)
  @IsBoolean({ message: messages.boolean })
  installAfterBuild!: boolean;
}

/** `[kojibuild_driver]` (dlrn/drivers/kojidriver.py); DLRN attribute names are `koji_*`. */
export class KojibuildDriverSection {
  @IniOption('koji_exe', 'string', 'koji') @IsString() kojiExe!: string;
  /** Unset: SSL authentication is assumed. */
  @IniOption('krb_principal', 'optional') krbPrincipal!: string | null;
  @IniOption('krb_keytab', 'optional') krbKeytab!: string | null;
  @IniOption('scratch_build', 'bool', true)
  @IsBoolean({ message: messages.boolean })
  scratchBuild!: boolean;
  @IniOption('build_target', 'optional') buildTarget!: string | null;
  @IniOption('arch', 'string', 'x86_64') @IsString() arch!: string;
  @IniOption('use_rhpkg', 'bool', false)
  @IsBoolean({ message: messages.boolean })
  useRhpkg!: boolean;
  /** Seconds. */
  @IniOption('rhpkg_timeout', 'int', 3600)
  @IsInt({ message: messages.integer })
  @Min(1, { message: messages.min(1) })
  rhpkgTimeout!: number;
  @IniOption('fetch_mock_config', 'bool', false)
  @IsBoolean({ message: messages.boolean })
  fetchMockConfig!: boolean;
  @IniOption('mock_base_packages', 'string', '') @IsString() mockBasePackages!: string;
  @IniOption('mock_package_manager', 'string', '') @IsString() mockPackageManager!: string;
  @IniOption('additional_koji_tags', 'list', []) additionalKojiTags!: string[];
}

/** `[coprbuild_driver]` (dlrn/drivers/coprdriver.py). */
export class CoprbuildDriverSection {
  /** `owner/project`. */
  @IniOption('coprid', 'optional') coprid!: string | null;
}

/** `[local_driver]` has no options; the class exists so the section is known. */
export class LocalDriverSection {}
