import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AccessAuditRepository, ApiJsonBody, ApiQueryFrom, AuthedRequest, RequirePermission } from '@kansa/service-shell';
import { FindingConflictError, FindingNotFoundError, FindingTransitionError } from '../findings/findings.errors';
import { FINDINGS_SERVICE, FindingsServicePort, FindingTransitionView, FindingView } from '../findings/findings.types';
import { ConsoleFindingsService } from '../console/console-findings.service';
import { findingsQuerySchema, parseOr400, transitionBodySchema } from './api-query.schema';

@ApiTags('findings')
@Controller('api/findings')
export class FindingsController {
  constructor(
    @Inject(FINDINGS_SERVICE) private readonly findings: FindingsServicePort,
    private readonly audit: AccessAuditRepository,
    private readonly scoped: ConsoleFindingsService,
  ) {}

  @RequirePermission('findings.read')
  @Get()
  @ApiOperation({ summary: '検知結果の一覧 (read)' })
  @ApiQueryFrom(findingsQuerySchema)
  async list(@Query() query: unknown, @Req() req: AuthedRequest): Promise<FindingView[]> {
    const q = parseOr400(findingsQuerySchema, query);
    await this.audit.recordRequest(req, q.purpose ?? '');
    const all = await this.findings.list({ from: q.from, to: q.to, rules: q.rule, statuses: q.status, userId: q.userId });
    // A reviewer sees the findings assigned to them and those of their departments only.
    const visible = await this.scoped.visibleIds(
      req.apiClient!,
      all.map((f) => f.id),
    );
    const list = visible ? all.filter((f) => visible.has(f.id)) : all;
    return q.limit ? list.slice(0, q.limit) : list;
  }

  @RequirePermission('findings.read')
  @Get(':id')
  @ApiOperation({ summary: '検知結果の詳細と確認履歴 (read)' })
  async get(@Param('id') id: string, @Req() req: AuthedRequest): Promise<FindingView & { history: FindingTransitionView[] }> {
    await this.scoped.stateOf(req.apiClient!, id);
    await this.audit.recordRequest(req, typeof req.query.purpose === 'string' ? req.query.purpose : '');
    const finding = await this.findings.get(id);
    if (!finding) throw new NotFoundException(`検知 ${id} は見つかりません (finding not found)`);
    return finding;
  }

  /**
   * Triage: the token's or person's name is recorded as who made the change
   * (one triage token per person), and the decision in the audit log. A
   * reviewer may triage only the findings of their scope (403 otherwise). 409 with `current` (status, reviewedBy, reviewedAt,
   * comment) when the current state does not allow the change — among
   * reviewers deciding the same finding at once exactly one gets 200.
   */
  @RequirePermission('findings.triage')
  @Post(':id/transition')
  @HttpCode(200)
  @ApiOperation({ summary: '確認状態の変更 (triage): new → reviewing → no_issue | action_required | false_positive → closed' })
  @ApiJsonBody(transitionBodySchema)
  @ApiResponse({ status: 200, description: '変更しました (the finding as changed)' })
  @ApiResponse({
    status: 409,
    description: '現在の状態からは変更できません (他の担当者が先に変更した場合を含む): current に現在の状態・担当者・日時',
  })
  async transition(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthedRequest): Promise<FindingView> {
    const b = parseOr400(transitionBodySchema, body);
    await this.scoped.stateOf(req.apiClient!, id);
    const triage = (outcome: 'ok' | 'refused', detail: Record<string, unknown> = {}) =>
      this.audit.recordRequest(req, '', { kind: 'triage', outcome, detail: { finding: id, to: b.to, comment: b.comment, ...detail } });
    try {
      const changed = await this.findings.transition(id, b.to, req.apiClient!.name, b.comment);
      await triage('ok');
      return changed;
    } catch (err) {
      if (err instanceof FindingNotFoundError) throw new NotFoundException(err.message);
      if (err instanceof FindingConflictError) {
        await triage('refused', { current: err.current.status });
        throw new ConflictException({ statusCode: 409, error: 'Conflict', message: err.message, current: err.current });
      }
      if (err instanceof FindingTransitionError) throw new BadRequestException(err.message);
      throw err;
    }
  }
}
