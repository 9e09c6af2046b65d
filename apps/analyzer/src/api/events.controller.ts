import { BadRequestException, Controller, Get, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { DateInputError } from '@kansa/calendar';
import { jstTimestamp } from '@kansa/domain';
import { AccessAuditRepository, ApiJson, ApiQueryFrom, AuthedRequest, RequirePermission } from '@kansa/service-shell';
import type { Response } from 'express';
import { z } from 'zod';
import { eventLookupSchema } from '../console/console.schemas';
import { EventLookupInputError, EventLookupResult, EventLookupService } from '../events/event-lookup.service';
import { eventsCsv, eventsPdf } from '../events/events-export';
import { eventsQuerySchema, parseOr400 } from './api-query.schema';

type EventsQuery = z.infer<typeof eventsQuerySchema>;

const exportQuerySchema = eventsQuerySchema.safeExtend({ format: z.enum(['csv', 'pdf']) });

@ApiTags('events')
@Controller('api/events')
export class EventsController {
  constructor(
    private readonly lookup: EventLookupService,
    private readonly audit: AccessAuditRepository,
  ) {}

  /**
   * Who touched this resident (開示請求), or what this user did. The read is
   * recorded (who, when, from where, query, purpose, reference) before
   * anything is answered. A person searching a resident must give the
   * request's reference (受付番号) too.
   */
  @RequirePermission('events.read')
  @Get()
  @ApiOperation({ summary: '住民ごと・職員ごとの操作履歴。purpose 必須 (人が住民を検索するときは reference も)、照会は記録されます' })
  @ApiQueryFrom(eventsQuerySchema)
  @ApiJson(eventLookupSchema)
  async find(@Query() query: unknown, @Req() req: AuthedRequest): Promise<EventLookupResult> {
    const q = this.checked(eventsQuerySchema, query, req);
    await this.audit.recordRequest(req, q.purpose);
    return this.search(q);
  }

  /** The same look-up as a file (CSV or PDF) for the answer to the requester; recorded as an export. */
  @RequirePermission('events.read')
  @Get('export')
  @ApiOperation({ summary: '照会結果の出力 (CSV・PDF)。purpose 必須、出力は記録されます' })
  @ApiQueryFrom(exportQuerySchema)
  @ApiProduces('text/csv', 'application/pdf')
  async export(@Query() query: unknown, @Req() req: AuthedRequest, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    const q = this.checked(exportQuerySchema, query, req);
    await this.audit.recordRequest(req, q.purpose, { kind: 'export' });
    const result = await this.search(q);
    const heading = {
      title: q.subject ? '住民の照会履歴（開示請求）' : '職員の操作履歴',
      target: q.subject ? `対象番号 ${result.matched.join(' / ')}` : `職員ID ${q.user}`,
      period: `${q.from ?? '最初'} 〜 ${q.to ?? '最後'}`,
      purpose: q.purpose,
      reference: q.reference ?? '',
      by: req.apiClient!.name,
      at: jstTimestamp(Date.now()).slice(0, 19),
    };
    const bytes = q.format === 'csv' ? eventsCsv(result, heading) : await eventsPdf(result, heading);
    const name = `kansa-${q.subject ? `subject-${q.subject}` : `user-${q.user}`}.${q.format}`.replace(/[^A-Za-z0-9._-]/g, '_');
    res.setHeader('Content-Type', q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/pdf');
    res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    return new StreamableFile(bytes);
  }

  private checked<T extends typeof eventsQuerySchema | typeof exportQuerySchema>(
    schema: T,
    query: unknown,
    req: AuthedRequest,
  ): z.infer<T> {
    const q = parseOr400(schema, query) as EventsQuery & z.infer<T>;
    if (q.subject && req.apiClient?.kind === 'person' && !q.reference?.trim()) {
      throw new BadRequestException('reference: 住民の照会には受付番号 (例: 令和7年 第12号) を記入してください (reference required)');
    }
    return q;
  }

  private async search(q: EventsQuery): Promise<EventLookupResult> {
    const options = { fromDay: q.from, toDay: q.to, limit: q.limit };
    try {
      return q.subject ? await this.lookup.bySubject(q.subject, options) : await this.lookup.byUser(q.user!, options);
    } catch (err) {
      if (err instanceof EventLookupInputError || err instanceof DateInputError) throw new BadRequestException(err.message);
      throw err;
    }
  }
}
