import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AccessAuditRepository, AUDIT_KINDS } from './access-audit.repository';
import { ApiJson, ApiQueryFrom } from './api-json';
import { dayParam, listParam, parseOr400, periodInOrder } from './api-params';
import { RequirePermission } from './auth.decorators';

const auditQuery = z
  .object({
    from: dayParam.optional(),
    to: dayParam.optional(),
    kind: listParam.pipe(z.array(z.enum(AUDIT_KINDS))).optional(),
    actor: z.string().min(1).max(64).optional(),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict()
  .superRefine(periodInOrder);

export const auditRecordSchema = z.object({
  access_id: z.string(),
  at: z.string(),
  kind: z.enum(AUDIT_KINDS),
  actor_kind: z.string(),
  client: z.string(),
  role: z.string(),
  outcome: z.string(),
  method: z.string(),
  route: z.string(),
  path: z.string(),
  query: z.string(),
  purpose: z.string(),
  reference: z.string(),
  detail: z.string(),
  remote_addr: z.string(),
  peer_addr: z.string(),
  user_agent: z.string(),
});
const auditPageSchema = z.object({ total: z.number(), rows: z.array(auditRecordSchema) });

/** kansa's own audit log (auditor, admin): who used kansa, filterable. */
@ApiTags('audit')
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AccessAuditRepository) {}

  @RequirePermission('audit.read')
  @Get()
  @ApiOperation({ summary: '監査ログ: ログイン・個人情報の参照 (目的)・確認・設定変更 (auditor, admin)' })
  @ApiQueryFrom(auditQuery)
  @ApiJson(auditPageSchema)
  async list(@Query() query: unknown): Promise<z.infer<typeof auditPageSchema>> {
    const q = parseOr400(auditQuery, query);
    return this.audit.list({ from: q.from, to: q.to, kinds: q.kind, actor: q.actor, offset: (q.page - 1) * q.pageSize, limit: q.pageSize });
  }
}
