import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBasicAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EventStore } from '#domain/shared/event-store.port.js';

/** DLRN's `/api/health`: proves the API answers and its store is reachable. */
@ApiTags('health')
@Controller('api/health')
export class HealthHttpController {
  constructor(@Inject(EventStore) private readonly store: EventStore) {}

  @Get()
  @ApiOperation({ summary: 'Is the API up? ("ok, no commits in DB" before the first build)' })
  @ApiOkResponse({ description: 'The API and its event store answer', schema: { example: { result: 'ok' } } })
  async get(): Promise<{ result: string }> {
    return this.health();
  }

  @Post()
  @HttpCode(200)
  @ApiBasicAuth()
  @ApiOperation({ summary: 'Test credentials: answers as GET, but only to an authenticated user' })
  @ApiOkResponse({ description: 'Same as GET; used by clients to test their credentials' })
  async post(): Promise<{ result: string }> {
    return this.health();
  }

  private async health(): Promise<{ result: string }> {
    const builds = await this.store.readAll({ maxCount: 1, filter: { eventTypes: ['CommitDiscovered'] } });
    return { result: builds.length === 0 ? 'ok, no commits in DB' : 'ok' };
  }
}
