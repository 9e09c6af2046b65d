import { BadRequestException, Body, Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { dateInputProblem } from '@kansa/calendar';
import { MastersRepository } from '@kansa/masters';
import { AccessAuditRepository, ApiJson, ApiJsonBody, AuthedRequest, parseOr400, RequirePermission } from '@kansa/service-shell';
import { z } from 'zod';
import { RULE_CATALOG, RuleCatalog } from '../detection/rule-catalog';
import { masterLoadSchema, masterPreviewSchema, masterVersionSchema, ruleSchema } from './console.schemas';
import { MasterUploadService } from './master-upload.service';
import { ruleView } from './rule-views';

const uploadBody = z
  .object({
    /** Master CSV files (UTF-8 text) under their usual names: staff.csv, leaves.csv, … */
    files: z
      .array(z.object({ name: z.string().min(1).max(100), content: z.string().max(50 * 1024 * 1024) }))
      .min(1)
      .max(20),
    /** YYYY-MM-DD: the versions apply from this day (back-dated load); default: now. */
    effectiveFrom: z.string().optional(),
  })
  .strict();

/** マスタ・ルール: master versions and their upload (validated first, errors per line), the rule catalogue (read-only). */
@ApiTags('catalogue')
@Controller('api')
export class CatalogueController {
  constructor(
    private readonly masters: MastersRepository,
    private readonly upload: MasterUploadService,
    private readonly audit: AccessAuditRepository,
    @Inject(RULE_CATALOG) private readonly rules: RuleCatalog,
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
  ) {}

  @RequirePermission('catalogue.read')
  @Get('rules')
  @ApiOperation({ summary: '検知ルールの一覧: 版・重要度・説明・適用中のパラメータ・読むデータ' })
  @ApiJson(z.array(ruleSchema))
  listRules() {
    return this.rules.map((r) => ruleView(r, this.config.rules));
  }

  @RequirePermission('catalogue.read')
  @Get('masters')
  @ApiOperation({ summary: 'マスタの版の一覧 (新しい順)' })
  @ApiJson(z.array(masterVersionSchema))
  listMasters() {
    return this.masters.list();
  }

  @RequirePermission('masters.load')
  @Post('masters/preview')
  @HttpCode(200)
  @ApiOperation({ summary: 'マスタの検証 (取り込まない): ファイルごとの行数と、行・列ごとの誤り' })
  @ApiJsonBody(uploadBody)
  @ApiJson(masterPreviewSchema)
  preview(@Body() body: unknown) {
    return this.upload.preview(parseOr400(uploadBody, body).files);
  }

  @RequirePermission('masters.load')
  @Post('masters')
  @HttpCode(200)
  @ApiOperation({ summary: 'マスタの取り込み: すべてのファイルが正しいときだけ、それぞれ新しい版として保存します' })
  @ApiJsonBody(uploadBody)
  @ApiJson(masterLoadSchema)
  async load(@Body() body: unknown, @Req() req: AuthedRequest) {
    const b = parseOr400(uploadBody, body);
    if (b.effectiveFrom !== undefined) {
      const problem = dateInputProblem(b.effectiveFrom);
      if (problem) throw new BadRequestException(`effectiveFrom: ${problem}`);
    }
    const loaded = await this.upload.load(b.files, b.effectiveFrom);
    await this.audit.recordRequest(req, '', { kind: 'masters_load', detail: { loaded: loaded.loaded } });
    return loaded;
  }
}
