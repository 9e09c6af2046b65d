import { Module } from '@nestjs/common';
import { CollectorModule } from '../../collector.module';
import { HttpIngestController } from './http-ingest.controller';
import { QuarantinedLinesRepository } from './quarantined-lines.repository';

/**
 * POST /api/ingest/:source. Imported only by the service (`kansa serve`,
 * `nest start collector`), never by plain CLI commands.
 */
@Module({
  imports: [CollectorModule],
  controllers: [HttpIngestController],
  providers: [QuarantinedLinesRepository],
})
export class HttpIngestModule {}
