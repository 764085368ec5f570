import type { DlrnConfig } from '#infrastructure/config/index.js';
import type { ReportSettings } from '#reports/report-format.js';

/** The pages' settings, taken once from projects.ini. */
export function reportSettings(config: DlrnConfig): ReportSettings {
  const d = config.default;
  return {
    projectName: d.projectName,
    reponame: d.reponame,
    target: d.target,
    source: d.source,
    baseurl: d.baseurl,
    downstream: d.pkginfoDriverName === 'downstream',
  };
}

