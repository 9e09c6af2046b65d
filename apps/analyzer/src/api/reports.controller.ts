import { BadRequestException, Controller, Get, NotFoundException, Param, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { REPORT_FORMATS, ReportFormat } from '@kansa/config';
import { AccessAuditRepository, AuthedRequest, RequirePermission } from '@kansa/service-shell';
import type { Response } from 'express';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { ReportListing, ReportsService } from '../reports/reports.service';
import { parseOr400, reportMonthSchema } from './api-query.schema';

const CONTENT_TYPES: Record<ReportFormat, string> = {
  pdf: 'application/pdf',
  html: 'text/html; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

@ApiTags('reports')
@Controller('api/reports')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly audit: AccessAuditRepository,
  ) {}

  @RequirePermission('reports.read')
  @Get()
  @ApiOperation({ summary: '作成済みの月次報告書の一覧 (read)' })
  async list(@Req() req: AuthedRequest): Promise<ReportListing[]> {
    await this.audit.recordRequest(req, typeof req.query.purpose === 'string' ? req.query.purpose : '');
    return this.reports.list();
  }

  @RequirePermission('reports.read')
  @Get(':month/:format')
  @ApiOperation({ summary: '月次報告書のファイル (read)' })
  @ApiParam({ name: 'month', description: 'YYYY-MM' })
  @ApiParam({ name: 'format', enum: [...REPORT_FORMATS] })
  @ApiProduces(...Object.values(CONTENT_TYPES))
  async file(
    @Param('month') month: string,
    @Param('format') format: string,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    parseOr400(reportMonthSchema, { month });
    if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
      throw new BadRequestException(`format: ${REPORT_FORMATS.join(', ')} のいずれか (got "${format}")`);
    }
    await this.audit.recordRequest(req, typeof req.query.purpose === 'string' ? req.query.purpose : '');
    const path = await this.reports.path(month, format);
    if (!path || !existsSync(path))
      throw new NotFoundException(`${month} の報告書 (${format}) はまだ作成されていません (report not made yet)`);
    res.setHeader('Content-Type', CONTENT_TYPES[format as ReportFormat]);
    res.setHeader('Content-Length', String(statSync(path).size));
    res.setHeader('Content-Disposition', `attachment; filename="${basename(path)}"`);
    return new StreamableFile(createReadStream(path));
  }
}
