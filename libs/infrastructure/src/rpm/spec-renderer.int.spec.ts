import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderSpecForOrdering } from './spec-renderer.js';

const root = mkdtempSync(join(tmpdir(), 'dlrn-specrender-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function spec(name: string, body: string): string {
  const path = join(root, `${name}.spec`);
  writeFileSync(
    path,
    `Name: ${name}\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n${body}\n%description\nd\n%files\n`,
  );
  return path;
}

describe('reading a spec for --order (rpmspec -P, with repo_bootstrap defined)', () => {
  it('gives the names rpm makes of conditionals and macros, which a line reader gets wrong', async () => {
    const path = spec(
      'alpha',
      '%if 0%{?repo_bootstrap}\n%global dep bootstrap-tool\n%else\n%global dep full-tool\n%endif\n%global pkg_name alpha\nBuildRequires: python3-%{pkg_name}-devel\nRequires: %{dep} >= 2',
    );
    const { text, rendered, reason } = await renderSpecForOrdering(path, { sandboxed: false });
    expect([rendered, reason]).toEqual([true, null]);
    expect(text).toContain('BuildRequires: python3-alpha-devel');
    expect(text).toContain('Requires: bootstrap-tool >= 2');
  });

  it('runs no code of a spec on this host when builds are sandboxed: the spec is read as written', async () => {
    const marker = join(root, 'ran');
    const path = spec('beta', `%global x %(touch ${marker})\nRequires: gamma`);
    const out = await renderSpecForOrdering(path, { sandboxed: true });
    expect(out.rendered).toBe(false);
    expect(out.reason).toMatch(/runs shell or Lua code when expanded, and builds are sandboxed/);
    expect(out.text).toContain('Requires: gamma');
    expect(existsSync(marker)).toBe(false);
  });

  it('reads a spec rpm cannot parse as written, saying why', async () => {
    const path = spec('broken', '%if 1\nRequires: delta');
    const out = await renderSpecForOrdering(path, { sandboxed: false });
    expect(out.rendered).toBe(false);
    expect(out.reason).toMatch(/^rpmspec -P: .*(endif|%if|error).*: read as written$/i);
    expect(out.text).toContain('Requires: delta');
  });
});
