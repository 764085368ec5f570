import { IsInt, Max, Min } from 'class-validator';
import { IniOption } from './ini-option.decorator.js';
import { messages } from './ini-value.converters.js';

/**
 * `[changes]` (our own, issue 18 items 2 and 3): builds of proposed changes (pull requests,
 * merge requests, Gerrit patch sets) received by `POST /api/webhooks/{forge}`. Off by default:
 * with `enabled` false the API acknowledges change events and records nothing.
 */
export class ChangesSection {
  /** Whether change events are recorded and built at all. */
  @IniOption('enabled', 'bool', false)
  enabled!: boolean;

  /**
   * Change builds one pass takes at most, after its commit builds (newest patch set of each
   * change only, oldest request first), so a busy upstream cannot starve commit builds.
   */
  @IniOption('batch_size', 'int', 5)
  @IsInt({ message: messages.integer })
  @Min(1, { message: messages.range(1, 1000) })
  @Max(1000, { message: messages.range(1, 1000) })
  batchSize!: number;

  /** `dlrn purge` removes change repositories built more than this many days ago. */
  @IniOption('keep_days', 'int', 7)
  @IsInt({ message: messages.integer })
  @Min(0, { message: messages.range(0, 36500) })
  @Max(36500, { message: messages.range(0, 36500) })
  keepDays!: number;
}

export interface ChangesConfig {
  readonly enabled: boolean;
  readonly batchSize: number;
  readonly keepDays: number;
}

export function changesConfig(section: ChangesSection): ChangesConfig {
  return { enabled: section.enabled, batchSize: section.batchSize, keepDays: section.keepDays };
}
