/** `[kojibuild_driver]` `mock_base_packages` and `mock_package_manager`. */
export interface KojiMockOverrides {
  /** Replaces the chroot's `install …` command when not empty. */
  readonly basePackages: string;
  /** Appended as `config_opts['package_manager']` when not empty. */
  readonly packageManager: string;
}

// Both values land inside a Python string of the mock configuration: no quote, backslash or
// line break may reach it, or the configuration would run code on this host.
const PACKAGE_WORD = /^@?[A-Za-z0-9_.+:-]+$/;
const PACKAGE_MANAGER = /^[a-z][a-z0-9_-]*$/;

/** The problems of the overrides, as `{ key, reason }` (empty when they can be written). */
export function kojiMockOverrideProblems(overrides: KojiMockOverrides): { key: string; reason: string }[] {
  const problems: { key: string; reason: string }[] = [];
  const words = overrides.basePackages.trim().split(/\s+/).filter(Boolean);
  const bad = words.find((word) => !PACKAGE_WORD.test(word));
  if (bad !== undefined)
    problems.push({
      key: 'mock_base_packages',
      reason: `${JSON.stringify(bad)} is not a package or @group name (letters, digits, "_.+:-")`,
    });
  if (overrides.packageManager !== '' && !PACKAGE_MANAGER.test(overrides.packageManager))
    problems.push({
      key: 'mock_package_manager',
      reason: `${JSON.stringify(overrides.packageManager)} is not a package manager name (dnf, dnf5, yum…)`,
    });
  return problems;
}

const ROOT_LINE = /^(config_opts\['root'\]\s*=\s*)(['"])([^'"\\]*)\2\s*$/;

/**
 * kojidriver.py's `write_mock_config` on the text `koji mock-config` printed: the worker id
 * appended to `config_opts['root']` (so that workers never share a chroot), the
 * `chroot_setup_cmd` line replaced by `install <mock_base_packages>` when those are set, and
 * `config_opts['package_manager']` appended when set. DLRN cuts the root line's last two
 * characters blindly; a root line of another shape is refused here instead.
 */
export function rewriteKojiMockConfig(text: string, workerId: number, overrides: KojiMockOverrides): string {
  const problems = kojiMockOverrideProblems(overrides);
  if (problems.length > 0) throw new Error(problems.map((p) => `${p.key} ${p.reason}`).join('; '));
  const basePackages = overrides.basePackages.trim().split(/\s+/).filter(Boolean).join(' ');
  let roots = 0;
  const lines = text.split('\n').map((line) => {
    if (line.startsWith("config_opts['chroot_setup_cmd']") && basePackages !== '')
      return `config_opts['chroot_setup_cmd'] = 'install ${basePackages}'`;
    if (line.startsWith("config_opts['root']")) {
      const match = ROOT_LINE.exec(line);
      if (!match) throw new Error(`the mock configuration from koji has a root line of an unknown shape: ${line}`);
      roots += 1;
      const [, assign, quote, value] = match;
      return `${assign}${quote}${value}-${workerId}${quote}`;
    }
    return line;
  });
  if (roots === 0) throw new Error("the mock configuration from koji has no config_opts['root'] line");
  let result = lines.join('\n');
  if (overrides.packageManager !== '') {
    if (!result.endsWith('\n')) result += '\n';
    result += `config_opts['package_manager'] = '${overrides.packageManager}'\n`;
  }
  return result;
}
