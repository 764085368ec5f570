import { didYouMean } from '../shared/suggest.js';

export const PKGINFO_DRIVERS = ['rdoinfo', 'downstream', 'gitrepo', 'local'] as const;
export const BUILD_DRIVERS = ['mock', 'koji', 'copr', 'rpmbuild'] as const;
export type PkginfoDriverName = (typeof PKGINFO_DRIVERS)[number];
export type BuildDriverName = (typeof BUILD_DRIVERS)[number];

// DLRN loads drivers by dotted class path (dlrn/utils.py import_object).
const DLRN_CLASS_PATHS: Readonly<Record<string, PkginfoDriverName | BuildDriverName>> = {
  'dlrn.drivers.rdoinfo.RdoInfoDriver': 'rdoinfo',
  'dlrn.drivers.downstream.DownstreamInfoDriver': 'downstream',
  'dlrn.drivers.gitrepo.GitRepoDriver': 'gitrepo',
  'dlrn.drivers.local.LocalDriver': 'local',
  'dlrn.drivers.mockdriver.MockBuildDriver': 'mock',
  'dlrn.drivers.kojidriver.KojiBuildDriver': 'koji',
  'dlrn.drivers.coprdriver.CoprBuildDriver': 'copr',
};

function normalise(configured: string): string | undefined {
  const value = configured.trim();
  return DLRN_CLASS_PATHS[value] ?? value.toLowerCase();
}

/** Short name for a pkginfo_driver value, or undefined when it is not one. */
export function pkginfoDriverName(configured: string): PkginfoDriverName | undefined {
  const name = normalise(configured);
  return PKGINFO_DRIVERS.find((known) => known === name);
}

/** Short name for a build_driver value, or undefined when it is not one. */
export function buildDriverName(configured: string): BuildDriverName | undefined {
  const name = normalise(configured);
  return BUILD_DRIVERS.find((known) => known === name);
}

/** Why a driver value was refused, with the accepted spellings. */
export function unknownDriverReason(kind: 'pkginfo' | 'build', configured: unknown): string {
  const value = String(configured);
  const own = kind === 'pkginfo' ? PKGINFO_DRIVERS : BUILD_DRIVERS;
  const other = kind === 'pkginfo' ? buildDriverName(value) : pkginfoDriverName(value);
  const candidates = [
    ...own,
    ...Object.entries(DLRN_CLASS_PATHS)
      .filter(([, name]) => (own as readonly string[]).includes(name))
      .map(([path]) => path),
  ];
  const hint =
    other === undefined
      ? didYouMean(value, candidates)
      : ` ('${value}' is a ${kind === 'pkginfo' ? 'build' : 'package info'} driver)`;
  return `unknown ${kind} driver '${value}'${hint}; expected one of ${own.join(', ')} or DLRN's dotted class name`;
}
