import { describe, expect, it } from 'vitest';
import { accessOf, roleFor } from './route-policy.js';

describe('route policy', () => {
  it('treats every POST as a write and every GET as a read, as DLRN does; the docs are public', () => {
    expect(accessOf('POST', '/api/health')).toBe('write');
    expect(accessOf('GET', '/api/builds?limit=1')).toBe('read');
    expect(accessOf('POST', '/api/graphql')).toBe('read');
    expect(accessOf('GET', '/api/openapi.json')).toBe('public');
  });

  it('names the role each of DLRN writes needs, and none for the others', () => {
    expect(roleFor('POST', '/api/report_result')).toBe('vote');
    expect(roleFor('POST', '/api/last_tested_repo')).toBe('vote');
    expect(roleFor('POST', '/api/promote-batch')).toBe('promote');
    expect(roleFor('POST', '/api/remote/import')).toBe('import');
    expect(roleFor('POST', '/api/recheck_package')).toBe('admin');
    expect(roleFor('GET', '/api/last_tested_repo?max_age=0')).toBe('read');
    expect(roleFor('POST', '/api/health')).toBeNull();
    expect(roleFor('GET', '/metrics')).toBeNull();
  });

  it("keeps the outgoing webhook's dead letters and their redelivery to admins, with credentials even for the read", () => {
    expect(accessOf('GET', '/api/deliveries?state=dead_lettered')).toBe('write');
    expect(roleFor('GET', '/api/deliveries?limit=5')).toBe('admin');
    expect(roleFor('POST', '/api/deliveries/:id/redeliver')).toBe('admin');
  });
});
