export { ConfigError, type ConfigErrorDetails } from './shared/config.error.js';
export { loadConfiguration, type LoadOptions } from './configuration.loader.js';
export { loadProjectsIni } from './ini/projects-ini.loader.js';
export { resolvePackages } from './yaml/package-metadata.resolver.js';
export { packagesAsJson, type PackageJson } from './yaml/packages-json.mapper.js';
export type { DlrnConfig } from './ini/dlrn-config.js';
export { DefaultSection } from './ini/default.section.js';
export {
  CoprbuildDriverSection,
  DownstreamDriverSection,
  GitrepoDriverSection,
  KojibuildDriverSection,
  MockbuildDriverSection,
  RdoinfoDriverSection,
} from './ini/driver.sections.js';
export {
  ServiceSection,
  AUTH_DRIVERS,
  type AuthDriver,
  type EventStoreTarget,
  type ReadModelStoreTarget,
} from './ini/service.section.js';
export { NotifySection, type NotifyConfig, type WebhookOutConfig } from './ini/notify.section.js';
export { Secret, WebhooksSection, type WebhooksConfig } from './ini/webhooks.section.js';
export { ChangesSection, type ChangesConfig } from './ini/changes.section.js';
export { BUILD_DRIVERS, PKGINFO_DRIVERS, type BuildDriverName, type PkginfoDriverName } from './ini/driver-names.js';
export { iniOptionsOf, type IniOptionSpec } from './ini/ini-option.decorator.js';
export { configurationNotes, missingMockTemplate } from './mock-template.js';
