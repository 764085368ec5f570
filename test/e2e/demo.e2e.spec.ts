import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDlrn } from '../support/cli.js';

describe('dlrn demo (the quick start), then its pages', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-demo-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("shows broken-tool's first failure after its success as a commit, never ??????", async () => {
    const dir = join(root, 'demo');
    const demo = await runDlrn(['demo', '--dir', dir]);
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/consistent -> /);
    const projector = await runDlrn(['projector', '--config-file', join(dir, 'projects.ini'), '--once']);
    expect(projector.code, projector.stderr).toBe(0);
    const page = readFileSync(join(dir, 'data', 'repos', 'status_report.html'), 'utf8');
    const row = page.slice(page.indexOf('broken-tool'), page.indexOf('</tr>', page.indexOf('broken-tool')));
    expect(row).toContain('FAILED');
    expect(row).not.toContain('??????');
    expect(row).toMatch(/[0-9a-f]{7,40}/);
  }, 120_000);
});
