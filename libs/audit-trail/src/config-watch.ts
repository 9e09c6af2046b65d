import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { AuditTrailService } from './audit-trail.service';

/**
 * What of the configuration decides detection, or who learns of it: rules
 * (parameters, approved devices, disabled rules), the source systems'
 * mapping, retention, the analyzer's schedule of rules, API tokens (names,
 * roles, sources and a digest prefix; never a secret), alert recipients and
 * the casework settings.
 */
export function watchedConfig(config: KansaConfig): Record<string, unknown> {
  return {
    rules: config.rules,
    sources: config.sources,
    retentionYears: config.storage.retentionYears,
    incrementalRules: config.analyzer.incrementalRules,
    ingest: { plausibleFrom: config.ingest.plausibleFrom, plausibleAheadDays: config.ingest.plausibleAheadDays },
    tokens: config.http.tokens.map((t) => ({ ...t, sha256: t.sha256.slice(0, 12) })),
    alerts: {
      enabled: config.alerts.enabled,
      minSeverity: config.alerts.minSeverity,
      email: config.alerts.email.enabled ? config.alerts.email.to : [],
      webhook: config.alerts.webhook.enabled ? config.alerts.webhook.url : '',
      audit: config.alerts.audit,
    },
    casework: config.casework,
  };
}

/** Japanese names of the watched parts, for the summary. */
const PART_TITLES: Record<string, string> = {
  rules: '検知ルールの設定 (rules)',
  sources: '取込対象システムの設定 (sources)',
  retentionYears: '保存期間 (storage.retentionYears)',
  incrementalRules: '随時実行するルール (analyzer.incrementalRules)',
  ingest: '取込時の日時の範囲 (ingest)',
  tokens: 'API トークン (http.tokens)',
  alerts: 'アラートの宛先 (alerts)',
  casework: '事案・例外・監視の設定 (casework)',
};

/** What changed between two snapshots, part by part, in words (rules disabled and enabled named). */
export function describeConfigChange(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { parts: string[]; summary: string } {
  const parts = Object.keys({ ...before, ...after }).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  const details: string[] = [];
  for (const part of parts) {
    if (part === 'retentionYears') details.push(`保存期間 ${String(before[part])}年 → ${String(after[part])}年`);
    else if (part === 'rules') {
      const was = ((before.rules as { disabled?: string[] })?.disabled ?? []) as string[];
      const now = ((after.rules as { disabled?: string[] })?.disabled ?? []) as string[];
      const off = now.filter((r) => !was.includes(r));
      const on = was.filter((r) => !now.includes(r));
      if (off.length) details.push(`ルールを無効化: ${off.join(', ')}`);
      if (on.length) details.push(`ルールを有効化: ${on.join(', ')}`);
      if (!off.length && !on.length) details.push(PART_TITLES.rules);
    } else details.push(PART_TITLES[part] ?? part);
  }
  return { parts, summary: `設定が変更されました: ${details.join('、')}` };
}

/**
 * At every start, compares what of the configuration decides detection with
 * what was last recorded, and records a change when it differs (alerted to
 * the 監査担当): a site editing its configuration file leaves a trace, with
 * before and after, whoever did it. The first start records the baseline.
 */
@Injectable()
export class ConfigWatch implements OnApplicationBootstrap {
  private readonly logger = new Logger('Audit');

  constructor(
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    private readonly trail: AuditTrailService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.check();
    } catch (err) {
      this.logger.warn(`configuration not compared with the audit trail: ${(err as Error).message}`);
    }
  }

  /** Records the configuration's change since the last record, if any; returns what was recorded. */
  async check(): Promise<'baseline' | 'changed' | 'same'> {
    const now = watchedConfig(this.config);
    const last = await this.trail.lastOfKinds(['config', 'token', 'config-baseline']);
    const actor = '設定ファイル (起動時に検出)';
    if (!last) {
      await this.trail.record({
        kind: 'config-baseline',
        subject: 'configuration',
        summary: '設定の記録を開始しました',
        after: now,
        actor,
      });
      return 'baseline';
    }
    const before = JSON.parse(last.after) as Record<string, unknown>;
    const { parts, summary } = describeConfigChange(before, now);
    if (parts.length === 0) return 'same';
    const kind = parts.length === 1 && parts[0] === 'tokens' ? 'token' : 'config';
    await this.trail.record({ kind, subject: parts.join(','), summary, before, after: now, actor });
    return 'changed';
  }
}
