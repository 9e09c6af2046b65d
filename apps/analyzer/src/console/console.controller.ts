import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FINDING_STATUSES, SEVERITIES } from '@kansa/domain';
import {
  AccessAuditRepository,
  ApiJson,
  ApiJsonBody,
  ApiQueryFrom,
  AuthedRequest,
  dayParam,
  listParam,
  monthParam,
  parseOr400,
  periodInOrder,
  RequirePermission,
} from '@kansa/service-shell';
import { z } from 'zod';
import { ruleListParam } from '../api/api-query.schema';
import { EventsRepository } from '../events/events.repository';
import { FINDING_SORTS } from './console-findings.repository';
import { ConsoleFindingsService } from './console-findings.service';
import { dashboardSchema, findingDetailSchema, findingPageSchema, optionsSchema } from './console.schemas';
import { DashboardService } from './dashboard.service';

const findingsQuery = z
  .object({
    from: dayParam.optional(),
    to: dayParam.optional(),
    rule: ruleListParam.optional(),
    severity: listParam.pipe(z.array(z.enum(SEVERITIES))).optional(),
    status: listParam.pipe(z.array(z.enum(FINDING_STATUSES))).optional(),
    department: listParam.optional(),
    userId: z.string().min(1).max(64).optional(),
    assignee: z.string().max(64).optional(),
    sort: z.enum(FINDING_SORTS).default('day'),
    order: z.enum(['asc', 'desc']).default('desc'),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict()
  .superRefine(periodInOrder);

const assignBody = z
  .object({
    ids: z
      .array(z.string().regex(/^[0-9a-f]{32}$/, 'a finding ID'))
      .min(1)
      .max(1000),
    /** The person to triage them; '' withdraws the assignment. */
    assignee: z.string().max(64),
    comment: z.string().max(1000).default(''),
  })
  .strict();

const dashboardQuery = z.object({ month: monthParam.optional() }).strict();

const rawQuery = z.object({ purpose: z.string().trim().min(2, '利用目的 (purpose) を記入してください').max(500) }).strict();

/**
 * The console's read models (docs/console.md): the dashboard, the findings
 * list (filters, sorting, paging, within the caller's scope), a finding's
 * page in one answer, bulk assignment. The same documented API as the rest.
 */
@ApiTags('console')
@Controller('api/console')
export class ConsoleController {
  constructor(
    private readonly dashboard: DashboardService,
    private readonly findings: ConsoleFindingsService,
    private readonly events: EventsRepository,
    private readonly audit: AccessAuditRepository,
  ) {}

  @RequirePermission('dashboard')
  @Get('dashboard')
  @ApiOperation({ summary: 'ダッシュボード: 今月の検知 (ルール・重要度・未対応)、12 か月の推移、取り込み状況、アラート (個人情報なし)' })
  @ApiQueryFrom(dashboardQuery)
  @ApiJson(dashboardSchema)
  async getDashboard(@Query() query: unknown, @Req() req: AuthedRequest) {
    const q = parseOr400(dashboardQuery, query);
    return this.dashboard.month(req.apiClient!, q.month);
  }

  @RequirePermission('findings.read')
  @Get('findings')
  @ApiOperation({ summary: '検知一覧: 期間・ルール・重要度・状態・所属・職員で絞り込み、並べ替え、ページ送り (確認者は担当分のみ)' })
  @ApiQueryFrom(findingsQuery)
  @ApiJson(findingPageSchema)
  async list(@Query() query: unknown, @Req() req: AuthedRequest) {
    const q = parseOr400(findingsQuery, query);
    await this.audit.recordRequest(req, '検知の一覧');
    return this.findings.page(req.apiClient!, {
      from: q.from,
      to: q.to,
      rules: q.rule,
      severities: q.severity,
      statuses: q.status,
      departments: q.department,
      userId: q.userId,
      assignee: q.assignee,
      sort: q.sort,
      desc: q.order === 'desc',
      page: q.page,
      pageSize: q.pageSize,
    });
  }

  @RequirePermission('findings.read')
  @Get('findings/:id')
  @ApiOperation({ summary: '検知詳細: 要約・ルールの説明とパラメータ・証跡のイベント・同じ職員の他の検知・確認履歴 (参照は記録されます)' })
  @ApiJson(findingDetailSchema)
  async detail(@Param('id') id: string, @Req() req: AuthedRequest) {
    const detail = await this.findings.detail(req.apiClient!, id);
    await this.audit.recordRequest(req, '検知の確認');
    return detail;
  }

  @RequirePermission('findings.read')
  @Get('findings/:id/evidence/:eventId/raw')
  @ApiOperation({ summary: '証跡イベントの受信した行そのもの (個人番号はマスク済み)。purpose 必須、記録されます' })
  @ApiQueryFrom(rawQuery)
  @ApiJson(z.object({ eventId: z.string(), source: z.string(), raw: z.string(), batchId: z.string(), lineNo: z.number() }))
  async raw(@Param('id') id: string, @Param('eventId') eventId: string, @Query() query: unknown, @Req() req: AuthedRequest) {
    const q = parseOr400(rawQuery, query);
    await this.findings.stateOf(req.apiClient!, id);
    const evidence = await this.findings.evidenceOf(id);
    if (!evidence?.ids.includes(eventId))
      throw new NotFoundException('この検知の証跡にそのイベントはありません (not evidence of this finding)');
    await this.audit.recordRequest(req, q.purpose);
    const raw = await this.events.raw(eventId, evidence.fromDay, evidence.toDay);
    if (!raw) throw new NotFoundException('イベントが見つかりません (event not found)');
    return { eventId, ...raw };
  }

  @RequirePermission('findings.assign')
  @Post('findings/assign')
  @HttpCode(200)
  @ApiOperation({ summary: '検知の一括割当 (officer): 担当者 (officer または reviewer) に割り当てます' })
  @ApiJsonBody(assignBody)
  @ApiJson(z.object({ assigned: z.number() }))
  async assign(@Body() body: unknown, @Req() req: AuthedRequest) {
    const b = parseOr400(assignBody, body);
    const done = await this.findings.assign(req.apiClient!, b.ids, b.assignee.trim(), b.comment);
    await this.audit.recordRequest(req, '', { kind: 'assign', detail: { ids: b.ids, assignee: b.assignee.trim(), comment: b.comment } });
    return done;
  }

  @RequirePermission('findings.read')
  @Get('options')
  @ApiOperation({ summary: '絞り込みの選択肢: ルール・所属・担当者' })
  @ApiJson(optionsSchema)
  options(@Req() req: AuthedRequest) {
    return this.findings.options(req.apiClient!);
  }
}
