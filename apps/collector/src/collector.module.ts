import { Module } from '@nestjs/common';

/** How logs arrive (files, Kafka, HTTP) and how they are stored. */
@Module({
  providers: [],
  exports: [],
})
export class CollectorModule {}
