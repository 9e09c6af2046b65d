import { Module } from '@nestjs/common';
import { CollectorModule } from '../../collector.module';
import { HttpIngestController } from './http-ingest.controller';
import { QuarantinedLinesRepository } from './quarantined-lines.repository';
import { SetAsideController } from './set-aside.controller';

/**
 * POST /api/ingest/:source, and /api/batches (set-aside batches). Imported only by the service (`kansa serve`,
 * `nest start collector`), never by plain CLI commands.
 */
@Module({
  imports: [CollectorModule],
  controllers: [HttpIngestController, SetAsideController],
  providers: [QuarantinedLinesRepository],
})
export class HttpIngestModule {}
