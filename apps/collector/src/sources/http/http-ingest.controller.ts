import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  HttpCode,
  Inject,
  Param,
  PayloadTooLargeException,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { AuthedRequest, isStorageUnavailable, mayIngest, MetricsService, RequirePermission, StorageStatus } from '@kansa/service-shell';
import type { Response } from 'express';
import { UnknownSourceError } from '../../pipeline/ingest.service';
import { HeaderMismatchError } from '../../pipeline/record-processor';
import { GroupCommitService } from '../../pipeline/group-commit';
import { IngestResult } from '../../pipeline/ingest.types';
import { IngestBodyError, toRawRecords } from './ingest-body.schema';
import { QuarantinedLinesRepository, RejectedLine } from './quarantined-lines.repository';

/** The answer to a sender: counts, and each quarantined line with its field and reason. */
export interface IngestAnswer extends IngestResult {
  rejected: RejectedLine[];
  /** More quarantined lines than listed in `rejected`. */
  rejectedTruncated: boolean;
  /** Set when lines were set aside: what the sender should know (kept by kansa, not to be sent again). */
  message?: string;
}

const MAX_REJECTED_LISTED = 1000;
const SOURCE_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

@ApiTags('ingest')
@Controller('api/ingest')
export class HttpIngestController {
  constructor(
    private readonly groups: GroupCommitService,
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    private readonly quarantined: QuarantinedLinesRepository,
    private readonly storageStatus: StorageStatus,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Stores a batch and answers only once it is in storage: 200 when every
   * line was stored (or was a duplicate), 422 when some lines were
   * quarantined (the others are stored; `rejected` names each bad line) or
   * storage refused the batch and it was set aside (`setAsideBatches` names
   * the reason; kept by kansa for an operator, not to be sent again), 400
   * for a body that is not a batch, 413 above the limits, 503 while storage
   * is unavailable or busy (resend the same batch later: duplicates are recognised).
   * Concurrent requests share a commit (GroupCommitService); each answer is
   * still its own, given once its lines are stored.
   */
  @RequirePermission('ingest')
  @Post(':source')
  @HttpCode(200)
  @ApiOperation({ summary: 'ログの受信 (ingest role): 行の配列・JSON オブジェクトの配列・改行区切りテキスト' })
  @ApiParam({ name: 'source', description: 'jumin | atena | chukan | terminal | canonical | 設定した追加システム' })
  @ApiQuery({ name: 'instance', required: false, description: '同じシステムの複数の実体 (例: 本庁・支所)' })
  @ApiConsumes('application/json', 'text/plain', 'application/x-ndjson', 'text/csv')
  @ApiBody({
    schema: {
      oneOf: [
        { type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'object' }] } },
        { type: 'object', properties: { lines: { type: 'array', items: { type: 'string' } } } },
        { type: 'object', properties: { records: { type: 'array', items: { type: 'object' } } } },
        { type: 'string', description: 'one record per line' },
      ],
    },
  })
  @ApiResponse({ status: 200, description: 'すべて保存 (stored or duplicate)' })
  @ApiResponse({
    status: 422,
    description: '一部の行を隔離 (rejected に行番号・項目・理由; 残りは保存)、または保存できず保留 (setAsideBatches; 再送不要)',
  })
  @ApiResponse({ status: 400, description: '本文の形式が不正' })
  @ApiResponse({ status: 413, description: '大きすぎる (bytes or lines)' })
  @ApiResponse({ status: 503, description: '保存先が一時的に利用できない: Retry-After 秒後に同じ内容を再送' })
  async post(
    @Param('source') source: string,
    @Query('instance') instance: string | undefined,
    @Body() body: unknown,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<IngestAnswer> {
    if (!SOURCE_NAME.test(source)) throw new BadRequestException(`送信元システム名が不正です (invalid source "${source}")`);
    if (instance !== undefined && !/^[A-Za-z0-9_-]{0,64}$/.test(instance)) {
      throw new BadRequestException(`instance が不正です (invalid instance "${instance}")`);
    }
    const client = req.apiClient!;
    // A scoped token sends its own sources only; canonical events are checked one by one (their own source field).
    if (source !== 'canonical' && !mayIngest(client, source)) {
      throw new ForbiddenException(
        `トークン ${client.name} は ${source} のログを送れません (allowed: ${client.sources!.join(', ')}) (source not allowed for this token)`,
      );
    }
    const origin = `http:${client.name}`;
    let records;
    try {
      records = toRawRecords(body, origin);
    } catch (err) {
      if (err instanceof IngestBodyError) throw new BadRequestException(err.message);
      throw err;
    }
    if (records.length === 0) throw new BadRequestException('行がありません (no lines in the body)');
    const max = this.config.http.maxBatchLines;
    if (records.length > max) {
      this.metrics.httpIngestLines.inc({ source, outcome: 'refused' }, records.length);
      throw new PayloadTooLargeException(
        `行数が多すぎます: ${records.length} 行 (上限 ${max} 行)。分割して送ってください (too many lines)`,
      );
    }
    let result: IngestResult;
    try {
      result = await this.groups.submit({
        source,
        instance: instance || undefined,
        transport: 'http',
        origin,
        records,
        allowedSources: client.sources,
      });
    } catch (err) {
      if (isStorageUnavailable(err)) {
        this.storageStatus.markUnavailable(err as Error);
        this.metrics.httpIngestLines.inc({ source, outcome: 'refused' }, records.length);
      }
      if (err instanceof UnknownSourceError || err instanceof HeaderMismatchError) throw new BadRequestException(err.message);
      throw err;
    }
    this.storageStatus.markAvailable();
    this.metrics.httpIngestLines.inc({ source, outcome: 'stored' }, result.stored);
    this.metrics.httpIngestLines.inc({ source, outcome: 'duplicate' }, result.duplicates);
    this.metrics.httpIngestLines.inc({ source, outcome: 'quarantined' }, result.quarantined);
    this.metrics.httpIngestLines.inc({ source, outcome: 'apart' }, result.apart);
    this.metrics.httpIngestLines.inc({ source, outcome: 'set_aside' }, result.setAside);
    const rejected = result.quarantined > 0 ? await this.quarantined.of(result, MAX_REJECTED_LISTED) : [];
    if (result.quarantined > 0 || result.setAside > 0) res.status(422);
    const message =
      result.setAside > 0
        ? `${result.setAside} 行を保存できず保留しました。kansa が保持しているため再送は不要です (set aside, kept by kansa: do not resend): ${result.setAsideBatches.map((b) => b.reason).join('; ')}`
        : undefined;
    return { ...result, rejected, rejectedTruncated: result.quarantined > rejected.length, ...(message ? { message } : {}) };
  }
}
