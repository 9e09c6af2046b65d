import { Module } from '@nestjs/common';

/** Detection rules, findings, scheduling, alerts and reports. */
@Module({
  providers: [],
  exports: [],
})
export class AnalyzerModule {}
