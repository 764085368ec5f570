import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../apps/api/src/api.app.js';
import { loadProjectsIni } from '#infrastructure/config/index.js';

interface Operation {
  summary?: string;
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

describe('the OpenAPI document', () => {
  let dir: string;
  let app: NestFastifyApplication;
  let document: { openapi: string; paths: Record<string, Record<string, Operation>> };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dlrn-openapi-'));
    cpSync('test/fixtures/config/seed-flock2017', dir, { recursive: true });
    appendFileSync(
      join(dir, 'projects.ini'),
      `\n[service]\nevent_store=sqlite:///${join(dir, 'events.sqlite')}\nread_model_store=sqlite:///${join(dir, 'views.sqlite')}\n`,
    );
    app = await createApiApp(loadProjectsIni(join(dir, 'projects.ini')), { logLevel: 'silent' });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    const response = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    document = response.json();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is a valid OpenAPI 3 document', async () => {
    expect(document.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it("describes every DLRN endpoint, with DLRN's methods", () => {
    const expected: [string, string][] = [
      ['/api/health', 'get'],
      ['/api/health', 'post'],
      ['/api/last_tested_repo', 'get'],
      ['/api/last_tested_repo', 'post'],
      ['/api/repo_status', 'get'],
      ['/api/agg_status', 'get'],
      ['/api/promotions', 'get'],
      ['/api/components', 'get'],
      ['/api/metrics/builds', 'get'],
      ['/api/report_result', 'post'],
      ['/api/promote', 'post'],
      ['/api/promote-batch', 'post'],
      ['/api/recheck_package', 'post'],
      ['/metrics', 'get'],
    ];
    for (const [path, method] of expected) expect(document.paths[path]?.[method], `${method} ${path}`).toBeDefined();
  });

  it('gives every operation a summary or description and a described success answer', () => {
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const success = Object.entries(operation.responses).find(([code]) => code.startsWith('2'));
        expect(success, `${method} ${path} has a 2xx answer`).toBeDefined();
      }
    }
    const ltr = document.paths['/api/last_tested_repo']!.get!;
    expect(ltr.summary).toBeTruthy();
    expect(ltr.parameters!.map((p) => p.name)).toEqual(
      expect.arrayContaining(['max_age', 'success', 'job_id', 'sequential_mode', 'previous_job_id', 'component']),
    );
    expect(Object.keys(ltr.responses)).toEqual(expect.arrayContaining(['200', '400']));
  });

  it('serves the interactive documentation locally', async () => {
    const page = await app.inject({ method: 'GET', url: '/api/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('swagger-ui');
    expect(page.body).not.toMatch(/https?:\/\/(cdn|unpkg)/);
  });
});
