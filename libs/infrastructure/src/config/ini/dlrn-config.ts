import { ChangesSection, type ChangesConfig } from './changes.section.js';
import { DefaultSection } from './default.section.js';
import {
  CoprbuildDriverSection,
  DownstreamDriverSection,
  GitrepoDriverSection,
  KojibuildDriverSection,
  LocalDriverSection,
  MockbuildDriverSection,
  RdoinfoDriverSection,
} from './driver.sections.js';
import { NotifySection, type NotifyConfig } from './notify.section.js';
import { ServiceSection } from './service.section.js';
import { WebhooksSection, type WebhooksConfig } from './webhooks.section.js';

/** projects.ini, parsed, typed, defaulted and validated. Built once at start-up. */
export interface DlrnConfig {
  /** Absolute path of the INI file; relative paths inside it were resolved against its directory. */
  readonly configFile: string;
  /** The INI path as the user gave it, used in messages. */
  readonly configFileShown: string;
  readonly default: DefaultSection;
  readonly rdoinfoDriver: RdoinfoDriverSection;
  readonly downstreamDriver: DownstreamDriverSection;
  readonly gitrepoDriver: GitrepoDriverSection;
  readonly mockbuildDriver: MockbuildDriverSection;
  readonly kojibuildDriver: KojibuildDriverSection;
  readonly coprbuildDriver: CoprbuildDriverSection;
  readonly service: ServiceSection;
  /** `[notify]`: the outgoing webhook (issue 18 item 4); its secret never shown. */
  readonly notify: NotifyConfig;
  /** `[webhooks]`: per-forge secrets of `POST /api/webhooks/{forge}`, never shown. */
  readonly webhooks: WebhooksConfig;
  /** `[changes]`: builds of proposed changes (issue 18 items 2 and 3). */
  readonly changes: ChangesConfig;
}

/** Every section projects.ini may hold, by its (case-sensitive) INI name. */
export const SECTION_CLASSES = {
  DEFAULT: DefaultSection,
  rdoinfo_driver: RdoinfoDriverSection,
  downstream_driver: DownstreamDriverSection,
  gitrepo_driver: GitrepoDriverSection,
  mockbuild_driver: MockbuildDriverSection,
  kojibuild_driver: KojibuildDriverSection,
  coprbuild_driver: CoprbuildDriverSection,
  local_driver: LocalDriverSection,
  service: ServiceSection,
  notify: NotifySection,
  webhooks: WebhooksSection,
  changes: ChangesSection,
} as const;

export type SectionName = keyof typeof SECTION_CLASSES;

export function isSectionName(name: string): name is SectionName {
  return Object.hasOwn(SECTION_CLASSES, name);
}
