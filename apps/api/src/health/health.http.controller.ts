import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBasicAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EventStore } from '#domain/shared/event-store.port.js';

const OK = { result: 'ok' };
const NO_COMMITS = { result: 'ok, no commits in DB' };

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

  /** Once a commit is in the append-only log it stays there: no need to look again. */
  private seenCommit = false;

  private async health(): Promise<{ result: string }> {
    if (!this.seenCommit) {
      const builds = await this.store.readAll({ maxCount: 1, filter: { eventTypes: ['CommitDiscovered'] } });
      this.seenCommit = builds.length > 0;
    }
    return this.seenCommit ? OK : NO_COMMITS;
  }
}
