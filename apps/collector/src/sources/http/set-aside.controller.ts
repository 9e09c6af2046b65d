import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuthedRequest, parseOr400, RequirePermission } from '@kansa/service-shell';
import { z } from 'zod';
import { CommitOutcome } from '../../sink/batch-committer';
import { SetAsideBatch } from '../../sink/set-aside.repository';
import { CommitService, SetAsideRequestError } from '../../sink/commit.service';

/** A set-aside batch as the API shows it (the intent is internal). */
export type SetAsideView = Omit<SetAsideBatch, 'intent'>;

const view = ({ intent: _intent, ...b }: SetAsideBatch): SetAsideView => b;

const replayBody = z.object({ comment: z.string().max(2000).default('') }).strict();
const discardBody = z.object({ reason: z.string().trim().min(1, 'required').max(2000) }).strict();

/**
 * Batches storage refused for good (docs/collector.md "When a commit
 * fails"): listed for staff, replayed or discarded by a person (the token's
 * name is recorded as who did it).
 */
@ApiTags('ingest')
@Controller('api/batches')
export class SetAsideController {
  constructor(private readonly commits: CommitService) {}

  @RequirePermission('service.read')
  @Get('set-aside')
  @ApiOperation({ summary: '保存できず保留したバッチ (read): 既定は保留中のみ、all=true で処理済みも' })
  @ApiQuery({ name: 'all', required: false, enum: ['true', 'false'] })
  async list(@Query('all') all?: string): Promise<SetAsideView[]> {
    if (all !== undefined && all !== 'true' && all !== 'false') throw new BadRequestException(`all: expected true or false, got "${all}"`);
    return (await this.commits.setAsideBatches(all === 'true')).map(view);
  }

  @RequirePermission('service.operate')
  @Post(':id/replay')
  @HttpCode(200)
  @ApiOperation({ summary: '保留したバッチを再取込 (triage): 保存できれば 200、まだ保存できなければ 409 と理由' })
  @ApiBody({ schema: { type: 'object', properties: { comment: { type: 'string' } } } })
  async replay(
    @Param('id') id: string,
    @Body() raw: unknown,
    @Req() req: AuthedRequest,
  ): Promise<{ outcome: CommitOutcome; batch: SetAsideView }> {
    const b = parseOr400(replayBody, raw, '(body)');
    const { outcome, batch } = await this.resolve(() => this.commits.replay(id, req.apiClient!.name, b.comment));
    if (outcome.kind === 'set-aside') {
      throw new ConflictException({
        statusCode: 409,
        error: 'Conflict',
        message: `まだ保存できません (still refused): ${outcome.failure.message}`,
        batch: view(batch),
      });
    }
    return { outcome, batch: view(batch) };
  }

  @RequirePermission('service.operate')
  @Post(':id/discard')
  @HttpCode(200)
  @ApiOperation({ summary: '保留したバッチを破棄 (triage): 理由が必要。記録は残る' })
  @ApiBody({ schema: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } } })
  async discard(@Param('id') id: string, @Body() raw: unknown, @Req() req: AuthedRequest): Promise<SetAsideView> {
    const b = parseOr400(discardBody, raw, '(body)');
    return view(await this.resolve(() => this.commits.discard(id, req.apiClient!.name, b.reason)));
  }

  private async resolve<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof SetAsideRequestError)
        throw err.notFound ? new NotFoundException(err.message) : new BadRequestException(err.message);
      throw err;
    }
  }
}
