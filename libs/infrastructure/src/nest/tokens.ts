import type { PackageInfo } from '#domain/package/package-info.js';

// The app-wide DI tokens. The ports of the domain (EventStore, Clock, IdGenerator…) are abstract
// classes and serve as their own tokens; these name what has no class.

/** The loaded configuration (`DlrnConfig`). */
export const DLRN_CONFIG = Symbol('DLRN_CONFIG');

/** The API's structured (JSON) logger (`pino.Logger`). */
export const API_LOGGER = Symbol('API_LOGGER');

/** Loads the package list (from the pkginfo driver) when an import needs it; null: none configured. */
export const PACKAGES_LOADER = Symbol('PACKAGES_LOADER');
export type PackagesLoader = (() => Promise<readonly PackageInfo[]>) | null;
