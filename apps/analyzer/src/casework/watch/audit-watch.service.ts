import { Inject, Injectable } from '@nestjs/common';
import { AuditTrailService } from '@kansa/audit-trail';
import { addDays, CalendarService } from '@kansa/calendar';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { formatCount, jstDay, jstTimestamp, median, sourceTitle } from '@kansa/domain';
import { IntegrityChecksRepository, VerifyService } from '@kansa/integrity';
import { CLOCK, Clock } from '../../core/clock';
import { LogVolumeRepository } from './log-volume.repository';

/** What one round of the watch found; each finding is recorded in the audit trail (and so alerted to the 監査担当). */
export interface WatchReport {
  verify: { ok: boolean; problems: string[]; recorded: boolean };
  clock: { wentBackFrom?: string; recorded: boolean };
  volume: Array<{ source: string; day: string; events: number; usual: number; recorded: boolean }>;
}

/**
 * The watch over the audit itself (docs/casework.md): the integrity chains of
 * the logs and of the audit trail verified (a row deleted behind kansa's back
 * breaks them), kansa's clock read against the last reading (going backwards
 * would misdate logs and hide them from windows), and each source's events
 * of yesterday compared with the same weekday of the previous weeks (a gap
 * subtler than log-gap). What it finds is recorded once — the same breakage
 * found again the next day is not a new alert.
 */
@Injectable()
export class AuditWatchService {
  constructor(
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly verifier: VerifyService,
    private readonly checks: IntegrityChecksRepository,
    private readonly trail: AuditTrailService,
    private readonly volumes: LogVolumeRepository,
    private readonly calendar: CalendarService,
  ) {}

  async check(): Promise<WatchReport> {
    return { clock: await this.checkClock(), verify: await this.checkVerify(), volume: await this.checkVolume() };
  }

  private async checkVerify(): Promise<WatchReport['verify']> {
    const { verifyContentDays: days, verifyOlderNights: nights } = this.config.casework.watch;
    const today = jstDay(this.clock.now().getTime());
    const older = nights > 0 ? await this.checks.nextOlderPart(nights) : undefined;
    const logs = await this.verifier.verify(days > 0 ? { from: addDays(today, -(days - 1)), older } : {});
    const audit = await this.trail.verify();
    const problems = [
      ...logs.broken.map((b) => `ログ ${b.source}${b.writer ? ` (${b.writer})` : ''} 連番${b.seq}: ${b.problem}`),
      ...logs.unrecorded.map((u) => `取込記録のない行: ${u.table} ${u.rows}行`),
      ...audit.broken.map((b) => `監査ログ${b.writer ? ` (${b.writer})` : ''} 連番${b.seq}: ${b.problem}`),
    ];
    const ok = problems.length === 0;
    const last = await this.trail.lastOfKinds(['verify-failed', 'verify-ok']);
    const lastProblems = last?.kind === 'verify-failed' ? (JSON.parse(last.after) as { problems: string[] }).problems : [];
    let recorded = false;
    if (!ok && JSON.stringify(lastProblems) !== JSON.stringify(problems)) {
      await this.trail.record({
        kind: 'verify-failed',
        subject: 'verify',
        summary: `改ざん検知チェーンの検証に失敗しました: ${problems.slice(0, 3).join('、')}${problems.length > 3 ? ` ほか ${problems.length - 3} 件` : ''}`,
        before: { problems: lastProblems },
        after: { problems },
        actor: 'kansa',
      });
      recorded = true;
    } else if (ok && last?.kind === 'verify-failed') {
      // Whole again (restored from a backup): a later breakage is news again.
      await this.trail.record({
        kind: 'verify-ok',
        subject: 'verify',
        summary: '改ざん検知チェーンの検証が正常に戻りました',
        before: { problems: lastProblems },
        after: { problems },
        actor: 'kansa',
      });
    }
    return { ok, problems, recorded };
  }

  /** Reads the clock against the last reading (also every few minutes, casework.watch.clockCron). */
  async checkClock(): Promise<WatchReport['clock']> {
    const now = this.clock.now();
    const { wentBackFrom } = await this.trail.readClock(now, this.config.casework.watch.clockToleranceMinutes * 60_000);
    if (!wentBackFrom) return { recorded: false };
    await this.trail.record(
      {
        kind: 'clock-backwards',
        subject: 'clock',
        summary: `kansa の時計が戻りました: ${wentBackFrom} を記録した後に ${jstTimestamp(now)} を読みました`,
        before: { seenAt: wentBackFrom },
        after: { now: jstTimestamp(now) },
        actor: 'kansa',
      },
      now,
    );
    return { wentBackFrom, recorded: true };
  }

  /** Yesterday's events per source against the median of the same weekday of the previous weeks (business days only). */
  private async checkVolume(): Promise<WatchReport['volume']> {
    const { volumeDropFactor, volumeWeeks, volumeMinimum } = this.config.casework.watch;
    const day = addDays(jstDay(this.clock.now()), -1);
    const previous = Array.from({ length: volumeWeeks }, (_, i) => addDays(day, -7 * (i + 1)));
    const version = await this.calendar.prepare(previous[previous.length - 1], day);
    const business = new Set(
      (await this.calendar.days(version, previous[previous.length - 1], day)).filter((d) => d.businessDay).map((d) => d.date),
    );
    if (!business.has(day)) return [];
    const comparable = previous.filter((d) => business.has(d));
    if (comparable.length < 2) return [];
    const counts = await this.volumes.counts([day, ...comparable]);
    const sources = [...new Set([...counts.keys()].map((k) => k.split('|')[0]))].sort();
    const out: WatchReport['volume'] = [];
    for (const source of sources) {
      const usual = median(comparable.map((d) => counts.get(`${source}|${d}`) ?? 0));
      const events = counts.get(`${source}|${day}`) ?? 0;
      if (usual < volumeMinimum || events * volumeDropFactor >= usual) continue;
      const subject = `${source}:${day}`;
      const recorded = !(await this.trail.lastOf('volume-drop', subject));
      if (recorded) {
        await this.trail.record({
          kind: 'volume-drop',
          subject,
          summary: `${sourceTitle(source)}（${source}）のログが ${day} に ${formatCount(events)} 件でした（同じ曜日の直近${comparable.length}週の中央値 ${formatCount(usual)} 件の 1/${volumeDropFactor} 未満）`,
          before: { usual, days: comparable },
          after: { events },
          actor: 'kansa',
        });
      }
      out.push({ source, day, events, usual, recorded });
    }
    return out;
  }
}
