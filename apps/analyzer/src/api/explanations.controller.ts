import { BadRequestException, Controller, Get, NotFoundException, Param, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { DateInputError } from '@kansa/calendar';
import { ACCESS_CLASSES, AccessClass } from '@kansa/rules';
import { AccessAuditRepository, AuthedRequest, RequirePermission } from '@kansa/service-shell';
import { ExplanationsInputError, ExplanationsService, EXPLANATION_LABELS } from '../explanations/explanations.service';
import { FindingNotFoundError } from '../findings/findings.errors';
import { ConsoleFindingsService } from '../console/console-findings.service';
import { ReviewerScopeService } from '../console/reviewer-scope.service';
import { dayParam as day, listParam as list, monthParam as month, parseOr400, periodInOrder } from '@kansa/service-shell';

const CLASSES = Object.keys(ACCESS_CLASSES) as [AccessClass, ...AccessClass[]];

const accessesQuerySchema = z
  .object({
    user: z.string().min(1).optional(),
    subject: z.string().min(1).optional(),
    from: day,
    to: day,
    class: list.pipe(z.array(z.enum(CLASSES))).optional(),
    /** Why the accesses are read: required and recorded, as for events. */
    purpose: z.string().trim().min(2, '利用目的 (purpose) を記入してください').max(500),
    limit: z.coerce.number().int().min(1).max(100_000).optional(),
  })
  .strict()
  .refine((q) => Boolean(q.subject) || Boolean(q.user), { message: 'subject か user を指定してください (user or subject)' })
  .superRefine(periodInOrder);

/**
 * Explanations of accesses (docs/explanations.md), as the console shows
 * them: why an access is considered fine, or what makes it worth a look.
 */
@ApiTags('explanations')
@Controller('api')
export class ExplanationsController {
  constructor(
    private readonly explanations: ExplanationsService,
    private readonly audit: AccessAuditRepository,
    private readonly findings: ConsoleFindingsService,
    private readonly scope: ReviewerScopeService,
  ) {}

  /** A user's or a resident's classified accesses of a period; read like events (purpose required and recorded). */
  @RequirePermission('events.read')
  @Get('explanations')
  @ApiOperation({ summary: '職員ごと・住民ごとのアクセスの説明（業務記録・担当割当など）(read)。purpose 必須、照会は記録されます' })
  @ApiQuery({ name: 'user', required: false, description: '職員ID' })
  @ApiQuery({ name: 'subject', required: false, description: '宛名番号 (10桁) または 統合宛名番号 (15桁)' })
  @ApiQuery({ name: 'from', required: true, description: 'YYYY-MM-DD' })
  @ApiQuery({ name: 'to', required: true, description: 'YYYY-MM-DD' })
  @ApiQuery({ name: 'class', required: false, description: CLASSES.join(' | ') })
  @ApiQuery({ name: 'purpose', required: true, description: '利用目的' })
  @ApiQuery({ name: 'limit', required: false })
  async accesses(@Query() query: unknown, @Req() req: AuthedRequest) {
    const q = parseOr400(accessesQuerySchema, query);
    await this.audit.recordRequest(req, q.purpose);
    return this.answer(async () => ({
      labels: EXPLANATION_LABELS,
      ...(await this.explanations.accesses({
        userId: q.user,
        subject: q.subject,
        fromDay: q.from,
        toDay: q.to,
        classes: q.class,
        limit: q.limit,
      })),
    }));
  }

  /** The month's explained share per department and system, and the unexplained look-ups of flagged residents per staff member (no resident). */
  @RequirePermission('findings.read')
  @Get('explanations/month/:month')
  @ApiOperation({ summary: '月の説明率（所属・システム別）と、要注意の対象への説明のない照会（職員別の件数）(read)' })
  async month(@Param() params: unknown, @Req() req: AuthedRequest) {
    const p = parseOr400(z.object({ month }), params);
    await this.audit.recordRequest(req, '');
    return this.answer(async () => {
      const month = await this.explanations.month(p.month);
      // the shares are counts per department and system; the staff list is a reviewer's departments' only
      return { labels: EXPLANATION_LABELS, ...month, flaggedByStaff: await this.scope.staffRows(req.apiClient!, month.flaggedByStaff) };
    });
  }

  /** A finding's evidence with the explanation of each access and the explained share. */
  @RequirePermission('findings.read')
  @Get('findings/:id/explanations')
  @ApiOperation({ summary: '検知結果の根拠となった操作ごとの説明と説明率 (read)' })
  async finding(@Param('id') id: string, @Req() req: AuthedRequest) {
    await this.findings.stateOf(req.apiClient!, id); // 404, or 403 outside a reviewer's scope, as the finding itself
    await this.audit.recordRequest(req, typeof req.query.purpose === 'string' ? req.query.purpose : '');
    return this.answer(async () => ({ labels: EXPLANATION_LABELS, ...(await this.explanations.forFinding(id)) }));
  }

  private async answer<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof FindingNotFoundError) throw new NotFoundException(err.message);
      if (err instanceof ExplanationsInputError || err instanceof DateInputError) throw new BadRequestException(err.message);
      throw err;
    }
  }
}
