import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { EventStore } from '#domain/shared/event-store.port.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { TimeTravel } from './as-of.js';
import type { ViewVersion } from './view-version.js';

const request = (query: Record<string, string>) => ({ query }) as unknown as FastifyRequest;
const reply = { header: () => reply } as unknown as Pick<FastifyReply, 'header'>;

describe('as_of on a service that keeps no history of its views (view_history=false)', () => {
  const travel = new TimeTravel({} as EventStore, {} as ViewVersion, { keepsHistory: false });

  it('answers 501 naming the setting, before reading anything', async () => {
    const refusal = await travel.of(request({ as_of: '12' }), reply).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(DlrnHttpError);
    expect((refusal as DlrnHttpError).status).toBe(501);
    expect((refusal as DlrnHttpError).message).toContain('[service] view_history=false');
  });

  it('answers now when no as_of is asked', async () => {
    expect(await travel.of(request({}), reply)).toBeNull();
  });
});
