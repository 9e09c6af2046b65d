import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { SEVERITIES, Severity } from '@kansa/domain';
import { jstTimestamp } from '@kansa/domain';
import { MetricsService } from '@kansa/service-shell';
import { randomUUID } from 'node:crypto';
import { CLOCK, Clock } from '../core/clock';
import { FINDINGS_SERVICE, FindingsServicePort, FindingView } from '../findings/findings.types';
import { AlertChannel, EmailChannel, WebhookChannel } from './alert-channels';
import { AlertDeliveriesRepository, attemptOutcome, DeliveryRow } from './alert-deliveries.repository';
import { AlertItem, composeAlert, toAlertItem } from './alert-message.mapper';
import { RoundPoller } from './round-poller';

/** Triage already judged these, or an approved exception covers them: an alert would only be noise. */
const SETTLED = new Set(['excepted', 'no_issue', 'false_positive', 'closed']);

export interface DispatchSummary {
  channel: string;
  due: number;
  sent: number;
  failed: number;
  abandoned: number;
  messages: number;
}

/**
 * Sends each finding of high/critical severity once per channel, as it is
 * found: polls findings, skips those already sent (re-runs replace a finding
 * under the same ID, so they are not sent again), sends one message each or a
 * digest when more than `digestThreshold` are due at once, retries failures
 * with doubling delays, and records every attempt in alert_deliveries.
 * Started only by the service (AlertsModule), never by plain CLI commands.
 */
@Injectable()
export class AlertDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Alerts');
  private readonly channels: AlertChannel[];
  private readonly poller: RoundPoller<DispatchSummary[]>;

  constructor(
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    @Inject(FINDINGS_SERVICE) private readonly findings: FindingsServicePort,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly deliveries: AlertDeliveriesRepository,
    private readonly metrics: MetricsService,
    email: EmailChannel,
    webhook: WebhookChannel,
  ) {
    this.channels = [email, webhook];
    this.poller = new RoundPoller(
      () => this.round(),
      () => config.alerts.pollSeconds * 1000,
      this.logger,
      'alert round',
    );
  }

  onApplicationBootstrap(): void {
    if (!this.config.alerts.enabled || !this.channels.some((c) => c.enabled)) return;
    this.logger.log(
      `alerts on: ${this.channels
        .filter((c) => c.enabled)
        .map((c) => `${c.name} → ${c.recipients}`)
        .join('; ')}`,
    );
    this.poller.start();
  }

  /** Stops polling and waits for the round in flight (its deliveries are recorded). */
  onModuleDestroy(): Promise<void> {
    return this.poller.stop();
  }

  /** One round over every enabled channel (the poller calls it; tests call it directly). */
  dispatchOnce(): Promise<DispatchSummary[]> {
    return this.poller.runOnce();
  }

  private async round(): Promise<DispatchSummary[]> {
    const settings = this.config.alerts;
    const now = this.clock.now();
    const severities = SEVERITIES.slice(SEVERITIES.indexOf(settings.minSeverity)) as Severity[];
    const since = jstTimestamp(now.getTime() - settings.maxAgeHours * 3_600_000);
    const candidates = await this.deliveries.candidates(severities, since);
    const views = new Map<string, FindingView | null>();
    const summaries: DispatchSummary[] = [];
    for (const channel of this.channels.filter((c) => c.enabled)) {
      const states = await this.deliveries.states(
        channel.name,
        candidates.map((c) => c.findingId),
      );
      const due: Array<{ view: FindingView; attempt: number }> = [];
      for (const c of candidates) {
        const state = states.get(c.findingId);
        if (state?.status === 'sent' || state?.status === 'abandoned') continue;
        if (state?.nextAttemptAt && state.nextAttemptAt > jstTimestamp(now)) continue;
        if (!views.has(c.findingId)) views.set(c.findingId, await this.findings.get(c.findingId));
        const view = views.get(c.findingId);
        if (!view || SETTLED.has(view.status)) continue;
        due.push({ view, attempt: (state?.attempts ?? 0) + 1 });
      }
      summaries.push(await this.deliver(channel, due, now));
    }
    return summaries;
  }

  private async deliver(channel: AlertChannel, due: Array<{ view: FindingView; attempt: number }>, now: Date): Promise<DispatchSummary> {
    const summary: DispatchSummary = { channel: channel.name, due: due.length, sent: 0, failed: 0, abandoned: 0, messages: 0 };
    if (due.length === 0) return summary;
    const digest = due.length > this.config.alerts.digestThreshold;
    const groups = digest ? [due] : due.map((d) => [d]);
    for (const group of groups) {
      if (this.poller.stopped && summary.messages > 0) break;
      const messageId = randomUUID();
      const items: AlertItem[] = group.map((d) => toAlertItem(d.view, this.config.alerts.consoleUrl));
      const message = composeAlert(items, digest, messageId);
      summary.messages++;
      let error = '';
      try {
        await channel.send(message);
      } catch (err) {
        error = (err as Error).message || String(err);
      }
      const at = jstTimestamp(this.clock.now());
      const rows: DeliveryRow[] = group.map((d) => {
        const base = {
          findingId: d.view.id,
          channel: channel.name,
          attempt: d.attempt,
          at,
          messageId,
          digest,
          rule: d.view.rule,
          severity: d.view.severity,
          recipients: channel.recipients,
          subject: message.subject,
        };
        return { ...base, ...attemptOutcome(this.config.alerts.retry, d.attempt, error, now.getTime()), error };
      });
      await this.deliveries.record(rows);
      for (const r of rows) {
        summary[r.status === 'sent' ? 'sent' : r.status === 'failed' ? 'failed' : 'abandoned']++;
        this.metrics.alertDeliveries.inc({ channel: channel.name, result: r.status });
      }
      if (error) {
        const gaveUp = rows.filter((r) => r.status === 'abandoned').length;
        const log =
          `${channel.name}: sending ${group.length} finding(s) failed: ${error}` +
          (gaveUp ? ` — gave up on ${gaveUp} after ${this.config.alerts.retry.maxAttempts} attempts` : ' — will retry');
        if (gaveUp) this.logger.error(log);
        else this.logger.warn(log);
      }
    }
    return summary;
  }
}
