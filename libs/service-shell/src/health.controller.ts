import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { PublicRoute } from './auth.decorators';
import { HealthRegistry, HealthReport } from './health.registry';

@ApiTags('service')
@Controller()
export class HealthController {
  constructor(private readonly health: HealthRegistry) {}

  /** Liveness (the process answers) and readiness (storage, Kafka): 200 when ready, 503 when not. */
  @PublicRoute()
  @Get('health')
  @ApiOperation({ summary: '稼働状態 (liveness and readiness: storage, Kafka); 認証不要' })
  async get(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const report = await this.health.report();
    res.status(report.ready ? 200 : 503);
    return report;
  }
}
