import { Module } from '@nestjs/common';
import { ChangeBuildsHandler } from '#application/change-builds/changes.query.js';
import { ChangesHttpController } from './changes.http.controller.js';

/** `GET /api/changes` and `/api/changes.html`. Needs the global ReadModelStore, DLRN_CONFIG and the CqrsModule. */
@Module({
  controllers: [ChangesHttpController],
  providers: [ChangeBuildsHandler],
})
export class ChangesModule {}
