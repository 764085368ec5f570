import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StaticReportRefresher } from './static-report.refresher.js';
import type { StaticReportWriter } from './static-report.writer.js';

function fakeWriter(fail?: string): Pick<StaticReportWriter, 'write'> & { writes: number } {
  const writer = {
    writes: 0,
    async write() {
      writer.writes++;
      if (fail) throw new Error(fail);
    },
  };
  return writer;
}

describe('StaticReportRefresher', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'dlrn-refresh-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  describe('when the repos directory exists', () => {
    it('writes once per new position', async () => {
      const writer = fakeWriter();
      const refresher = new StaticReportRefresher(writer, dir(), () => undefined);
      await refresher.refresh(5);
      await refresher.refresh(5);
      await refresher.flush(5);
      expect(writer.writes).toBe(1);
      await refresher.flush(6);
      expect(writer.writes).toBe(2);
    });

    it('logs a failing write once, and never throws', async () => {
      const lines: string[] = [];
      const writer = fakeWriter('disk full');
      const refresher = new StaticReportRefresher(writer, dir(), (line) => lines.push(line));
      await refresher.refresh(1);
      await refresher.refresh(2);
      expect(writer.writes).toBe(2);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/static reports not written in .*: disk full$/);
    });
  });

  describe('when the repos directory does not exist', () => {
    it('writes nothing', async () => {
      const writer = fakeWriter();
      await new StaticReportRefresher(writer, join(dir(), 'repos'), () => undefined).flush(3);
      expect(writer.writes).toBe(0);
    });
  });
});
