import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AUDIT_KINDS, AuditChange, AuditTrailService } from '@kansa/audit-trail';
import { ApiJson, ApiJsonBody, ApiQueryFrom, AuthedRequest, RequirePermission } from '@kansa/service-shell';
import { Case, CASE_STATES, RepeatPattern } from '../casework/cases/case.model';
import { CasesService } from '../casework/cases/cases.service';
import { ReviewerScopeService } from '../console/reviewer-scope.service';
import { CaseworkRequestError } from '../casework/casework-request.error';
import { ExceptionRecord, exceptionInput } from '../casework/exceptions/exception.model';
import { ExceptionsService } from '../casework/exceptions/exceptions.service';
import { caseSchema, exceptionListSchema, exceptionRecordSchema, repeatPatternSchema } from './casework.schemas';
import { dayParam as day, listParam as list, monthParam as month, parseOr400, periodInOrder } from '@kansa/service-shell';

/** A casework request refused: 400 as given, 404 not found, 409 changed meanwhile or not allowed in its state. */
async function answer<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof CaseworkRequestError)) throw err;
    if (err.kind === 'not-found') throw new NotFoundException(err.message);
    if (err.kind === 'conflict') throw new ConflictException(err.message);
    throw new BadRequestException(err.message);
  }
}

/** Who does it: the token's name (one token per person), as for triage. */
const actor = (req: AuthedRequest) => req.apiClient!.name;

const revokeBody = z.object({ reason: z.string().trim().min(1, '取消の理由を記入してください') }).strict();
const exceptionsQuery = z.object({ active: z.enum(['true', 'false']).optional(), rule: z.string().min(1).optional() }).strict();

@ApiTags('casework')
@Controller('api/exceptions')
export class ExceptionsController {
  constructor(private readonly exceptions: ExceptionsService) {}

  @RequirePermission('findings.read')
  @Get()
  @ApiOperation({ summary: '例外承認の一覧 (最新の版) と期限が近いもの (read)' })
  @ApiQueryFrom(exceptionsQuery)
  @ApiJson(exceptionListSchema)
  async list(@Query() query: unknown): Promise<{ exceptions: ExceptionRecord[]; expiring: ExceptionRecord[] }> {
    const q = parseOr400(exceptionsQuery, query);
    return {
      exceptions: await this.exceptions.list({ state: q.active === 'true' ? 'active' : undefined, rule: q.rule }),
      expiring: await this.exceptions.expiring(),
    };
  }

  @RequirePermission('findings.read')
  @Get(':id')
  @ApiOperation({ summary: '例外承認のすべての版 (古い順) (read)' })
  @ApiJson(z.array(exceptionRecordSchema))
  history(@Param('id') id: string): Promise<ExceptionRecord[]> {
    return answer(() => this.exceptions.history(id));
  }

  /**
   * Approves an exception: the body is its scope, reason, reference,
   * requestedBy and approvedBy (a different person); the token's name is
   * recorded as who entered it. 400 names the field.
   */
  @RequirePermission('exceptions.approve')
  @Post()
  @ApiOperation({ summary: '例外承認の登録 (triage)' })
  @ApiJsonBody(exceptionInput)
  @ApiJson(z.object({ exception: exceptionRecordSchema, findingsCovered: z.number() }), 201, 'Created')
  add(@Body() body: unknown, @Req() req: AuthedRequest): Promise<{ exception: ExceptionRecord; findingsCovered: number }> {
    return answer(() => this.exceptions.add(body, actor(req)));
  }

  @RequirePermission('exceptions.approve')
  @Put(':id')
  @ApiOperation({ summary: '例外承認の変更: 新しい版になり、前の版も残る (triage)' })
  @ApiJsonBody(exceptionInput)
  edit(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthedRequest) {
    return answer(() => this.exceptions.edit(id, body, actor(req)));
  }

  @RequirePermission('exceptions.approve')
  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: '例外承認の取消: 対象だった検知は通常どおりに戻る (triage)' })
  @ApiJsonBody(revokeBody)
  @ApiJson(exceptionRecordSchema)
  revoke(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthedRequest): Promise<ExceptionRecord> {
    const b = parseOr400(revokeBody, body);
    return answer(() => this.exceptions.revoke(id, actor(req), b.reason));
  }
}

const casesQuery = z.object({ state: z.enum(CASE_STATES).optional(), userId: z.string().min(1).optional() }).strict();
const patternsQuery = z.object({ month }).strict();
const openBody = z
  .object({
    userId: z.string(),
    title: z.string(),
    owner: z.string().optional(),
    findingIds: z.array(z.string().min(1)).default([]),
  })
  .strict();
const noteBody = z.object({ text: z.string().trim().min(1, 'メモを記入してください').max(4000) }).strict();
const linkBody = z.object({ findingIds: z.array(z.string().min(1)).min(1) }).strict();
const stateBody = z.object({ to: z.enum(CASE_STATES), outcome: z.string().max(4000).default('') }).strict();
const ownerBody = z.object({ owner: z.string().trim().min(1, '担当者を指定してください') }).strict();

@ApiTags('casework')
@Controller('api/cases')
export class CasesController {
  constructor(
    private readonly cases: CasesService,
    private readonly scope: ReviewerScopeService,
  ) {}

  @RequirePermission('findings.read')
  @Get()
  @ApiOperation({ summary: '事案の一覧 (read; 確認者は担当所属の職員の事案と自分が担当の事案)' })
  @ApiQueryFrom(casesQuery)
  @ApiJson(z.array(caseSchema))
  async list(@Query() query: unknown, @Req() req: AuthedRequest): Promise<Case[]> {
    return this.scope.cases(req.apiClient!, await this.cases.list(parseOr400(casesQuery, query)));
  }

  @RequirePermission('findings.read')
  @Get('patterns')
  @ApiOperation({ summary: '継続監視対象 (繰り返し検知されている職員) と理由 (read; 確認者は担当所属の職員)' })
  @ApiQueryFrom(patternsQuery)
  @ApiJson(z.array(repeatPatternSchema))
  async patterns(@Query() query: unknown, @Req() req: AuthedRequest): Promise<RepeatPattern[]> {
    return this.scope.staffRows(req.apiClient!, await this.cases.patterns(parseOr400(patternsQuery, query).month));
  }

  @RequirePermission('findings.read')
  @Get(':id')
  @ApiOperation({ summary: '事案の内容と経過 (read; 担当外は 403)' })
  @ApiJson(caseSchema)
  get(@Param('id') id: string, @Req() req: AuthedRequest): Promise<Case> {
    return this.visible(id, req);
  }

  @RequirePermission('findings.triage')
  @Post()
  @ApiOperation({ summary: '事案を開く (triage; 確認者は担当所属の職員だけ)' })
  @ApiJsonBody(openBody)
  @ApiJson(caseSchema, 201, 'Created')
  async open(@Body() body: unknown, @Req() req: AuthedRequest): Promise<Case> {
    const b = parseOr400(openBody, body);
    await this.scope.checkOpening(req.apiClient!, b.userId, b.findingIds);
    return answer(() => this.cases.open({ ...b, owner: b.owner ?? actor(req), by: actor(req) }));
  }

  @RequirePermission('findings.triage')
  @Post(':id/notes')
  @HttpCode(200)
  @ApiOperation({ summary: 'メモを残す (triage)' })
  @ApiJsonBody(noteBody)
  @ApiJson(caseSchema)
  async note(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthedRequest): Promise<Case> {
    const b = parseOr400(noteBody, body);
    await this.visible(id, req);
    return answer(() => this.cases.note(id, b.text, actor(req)));
  }

  @RequirePermission('findings.triage')
  @Post(':id/findings')
  @HttpCode(200)
  @ApiOperation({ summary: '検知を事案に結びつける (triage)' })
  async link(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthedRequest): Promise<Case> {
    const b = parseOr400(linkBody, body);
    await this.visible(id, req);
    await this.scope.checkFindings(req.apiClient!, b.findingIds);
    return answer(() => this.cases.link(id, b.findingIds, actor(req)));
  }

  @RequirePermission('findings.triage')
  @Delete(':id/findings/:findingId')
  @ApiOperation({ summary: '検知を事案から外す (triage)' })
  async unlink(@Param('id') id: string, @Param('findingId') findingId: string, @Req() req: AuthedRequest): Promise<Case> {
    await this.visible(id, req);
    return answer(() => this.cases.unlink(id, findingId, actor(req)));
  }

  @RequirePermission('findings.triage')
  @Post(':id/state')
  @HttpCode(200)
  @ApiOperation({ summary: '状態を変える: investigating | closed (結果が必要) (triage)' })
  @ApiJsonBody(stateBody)
  @ApiJson(caseSchema)
  async setState(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthedRequest): Promise<Case> {
    const b = parseOr400(stateBody, body);
    await this.visible(id, req);
    return answer(() => this.cases.setState(id, b.to, actor(req), b.outcome));
  }

  @RequirePermission('findings.triage')
  @Post(':id/owner')
  @HttpCode(200)
  @ApiOperation({ summary: '担当者を変える (triage)' })
  async setOwner(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthedRequest): Promise<Case> {
    const b = parseOr400(ownerBody, body);
    await this.visible(id, req);
    return answer(() => this.cases.setOwner(id, b.owner, actor(req)));
  }

  /** The case if it exists (404) and the caller may see it (403 outside a reviewer's scope). */
  private async visible(id: string, req: AuthedRequest): Promise<Case> {
    return this.scope.check(req.apiClient!, await answer(() => this.cases.get(id)));
  }
}

const auditQuery = z
  .object({
    from: day.optional(),
    to: day.optional(),
    kind: list.pipe(z.array(z.enum(Object.keys(AUDIT_KINDS) as [string, ...string[]]))).optional(),
    limit: z.coerce.number().int().min(1).max(100_000).optional(),
  })
  .strict()
  .superRefine(periodInOrder);

@ApiTags('casework')
@Controller('api/audit')
export class AuditController {
  constructor(private readonly trail: AuditTrailService) {}

  @RequirePermission('audit.read')
  @Get('changes')
  @ApiOperation({ summary: 'kansa 自体の監査ログ: 設定・マスタ・例外の変更、検証失敗、時計、ログ量 (新しい順) (read)' })
  @ApiQuery({ name: 'from', required: false, description: 'YYYY-MM-DD' })
  @ApiQuery({ name: 'to', required: false, description: 'YYYY-MM-DD' })
  @ApiQuery({ name: 'kind', required: false, description: Object.keys(AUDIT_KINDS).join(' | ') })
  changes(@Query() query: unknown): Promise<AuditChange[]> {
    const q = parseOr400(auditQuery, query);
    return this.trail.list({ fromDay: q.from, toDay: q.to, kinds: q.kind, limit: q.limit });
  }
}
