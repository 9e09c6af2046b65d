import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  InternalServerErrorException,
  Logger,
  NotFoundException,
  Param,
  Post,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { KANSA_CONFIG, KansaConfig, REPORT_FORMATS, ReportFormat } from '@kansa/config';
import { AccessAuditRepository, ApiJson, ApiJsonBody, AuthedRequest, monthParam, RequirePermission } from '@kansa/service-shell';
import { z } from 'zod';
import { reportListingSchema, reportStatusSchema } from '../console/console.schemas';
import type { Response } from 'express';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { ReportFailedError, ReportsService } from '../reports/reports.service';
import { parseOr400, reportMonthSchema } from './api-query.schema';

const makeBody = z.object({ month: monthParam }).strict();

const CONTENT_TYPES: Record<ReportFormat, string> = {
  pdf: 'application/pdf',
  html: 'text/html; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

@ApiTags('reports')
@Controller('api/reports')
export class ReportsController {
  private readonly logger = new Logger(ReportsController.name);

  constructor(
    private readonly reports: ReportsService,
    private readonly audit: AccessAuditRepository,
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
  ) {}

  /** Last month's report: made or not, overdue (report.deadlineDay passed), and why the latest attempt to make it failed. */
  @RequirePermission('reports.read')
  @Get('status')
  @ApiOperation({ summary: '前月の報告書の状況 (作成済みか、期限超過か、作成の失敗とその理由)' })
  @ApiJson(reportStatusSchema)
  async status(): Promise<z.infer<typeof reportStatusSchema>> {
    return { ...(await this.reports.lastMonth()), automatic: this.config.report.autoMonthly };
  }

  /** Reports made so far with their SHA-256 digests (the server's file paths are not shown). */
  @RequirePermission('reports.read')
  @Get()
  @ApiOperation({ summary: '作成済みの月次報告書の一覧 (形式・大きさ・SHA-256)' })
  @ApiJson(z.array(reportListingSchema))
  async list(@Req() req: AuthedRequest): Promise<Array<z.infer<typeof reportListingSchema>>> {
    await this.audit.recordRequest(req, typeof req.query.purpose === 'string' ? req.query.purpose : '');
    return (await this.reports.list()).map(({ path: _path, ...r }) => r);
  }

  /**
   * Makes (or makes again) a month's report in every format; recorded in the
   * audit log. A report that cannot be made is answered 500 with the month
   * and the reason (recorded: GET /api/reports/status), storage unavailable 503.
   */
  @RequirePermission('reports.make')
  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: '月次報告書を作成する (PDF・HTML・XLSX・CSV)' })
  @ApiJsonBody(makeBody)
  @ApiJson(z.array(reportListingSchema))
  async make(@Body() body: unknown, @Req() req: AuthedRequest): Promise<Array<z.infer<typeof reportListingSchema>>> {
    const { month } = parseOr400(makeBody, body);
    const made = await this.reports.make(month, { trigger: 'console' }).catch((err: unknown) => {
      if (!(err instanceof ReportFailedError)) throw err; // storage unavailable: 503 as ever
      // Said with the month and the reason, to the officer and in the service's log, instead of a bare "Internal server error".
      this.logger.error(`report made from the console failed: ${err.message}`);
      throw new InternalServerErrorException(err.message);
    });
    await this.audit.recordRequest(req, '', {
      kind: 'report_make',
      detail: { month, files: made.files.map((f) => ({ format: f.format, sha256: f.sha256 })) },
    });
    return (await this.reports.list()).filter((r) => r.month === month).map(({ path: _path, ...r }) => r);
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
