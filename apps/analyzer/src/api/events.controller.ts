import { BadRequestException, Controller, Get, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DateInputError } from '@kansa/calendar';
import { AccessAuditRepository, AuthedRequest, RequirePermission } from '@kansa/service-shell';
import { EventLookupInputError, EventLookupResult, EventLookupService } from '../events/event-lookup.service';
import { eventsQuerySchema, parseOr400 } from './api-query.schema';

@ApiTags('events')
@Controller('api/events')
export class EventsController {
  constructor(
    private readonly lookup: EventLookupService,
    private readonly audit: AccessAuditRepository,
  ) {}

  /**
   * Who touched this resident (開示請求), or what this user did. The read is
   * recorded (who, when, query, purpose) before anything is answered.
   */
  @RequirePermission('events.read')
  @Get()
  @ApiOperation({ summary: '住民ごと・職員ごとの操作履歴 (read)。purpose 必須、照会は記録されます' })
  @ApiQuery({ name: 'subject', required: false, description: '宛名番号 (10桁) または 統合宛名番号 (15桁)' })
  @ApiQuery({ name: 'user', required: false, description: '職員ID' })
  @ApiQuery({ name: 'from', required: false, description: 'YYYY-MM-DD' })
  @ApiQuery({ name: 'to', required: false, description: 'YYYY-MM-DD' })
  @ApiQuery({ name: 'purpose', required: true, description: '利用目的 (例: 開示請求 第12号)' })
  @ApiQuery({ name: 'limit', required: false })
  async find(@Query() query: unknown, @Req() req: AuthedRequest): Promise<EventLookupResult> {
    const q = parseOr400(eventsQuerySchema, query);
    await this.audit.recordRequest(req, q.purpose);
    const options = { fromDay: q.from, toDay: q.to, limit: q.limit };
    try {
      return q.subject ? await this.lookup.bySubject(q.subject, options) : await this.lookup.byUser(q.user!, options);
    } catch (err) {
      if (err instanceof EventLookupInputError || err instanceof DateInputError) throw new BadRequestException(err.message);
      throw err;
    }
  }
}
