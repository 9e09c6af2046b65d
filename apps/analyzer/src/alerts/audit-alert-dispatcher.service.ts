import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AUDIT_KINDS, AuditKind, AuditTrailService, QUIET_KINDS } from '@kansa/audit-trail';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { jstDay, jstTimestamp } from '@kansa/domain';
import { MetricsService } from '@kansa/service-shell';
import { randomUUID } from 'node:crypto';
import { CLOCK, Clock } from '../core/clock';
import { AlertChannel, EmailChannel, WebhookChannel } from './alert-channels';
import { AlertDeliveriesRepository, attemptOutcome } from './alert-deliveries.repository';
import { composeAuditAlert, toAuditAlertItem } from './alert-message.mapper';
import { RoundPoller } from './round-poller';

/**
 * Sends each change of the audit trail (but the quiet kinds) once to the
 * 監査担当 — alerts.audit, a list of its own — one message per change, and
 * records every attempt in alert_deliveries (under the change's ID, rule
 * `audit:<kind>`), retrying failures like the findings' alerts. Started only
 * by the service (AlertsModule).
 */
@Injectable()
export class AuditAlertDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AuditAlerts');
  private readonly channels: AlertChannel[];
  private readonly poller: RoundPoller<number>;

  constructor(
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly trail: AuditTrailService,
    private readonly deliveries: AlertDeliveriesRepository,
    private readonly metrics: MetricsService,
    email: EmailChannel,
    webhook: WebhookChannel,
  ) {
    this.channels = [email.to(config.alerts.audit), webhook.to(config.alerts.audit)].filter((c) => c.enabled);
    this.poller = new RoundPoller(
      () => this.round(),
      () => config.alerts.pollSeconds * 1000,
      this.logger,
      'audit alert round',
    );
  }

  onApplicationBootstrap(): void {
    if (this.channels.length === 0) return;
    this.logger.log(`audit alerts to the 監査担当: ${this.channels.map((c) => `${c.name} → ${c.recipients}`).join('; ')}`);
    this.poller.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.poller.stop();
  }

  /** One round: every change due on every channel; resolves to the messages sent. */
  dispatchOnce(): Promise<number> {
    return this.poller.runOnce();
  }

  private async round(): Promise<number> {
    const now = this.clock.now();
    const since = jstDay(now.getTime() - this.config.alerts.maxAgeHours * 3_600_000);
    const changes = (await this.trail.list({ fromDay: since }))
      .filter((c) => c.kind in AUDIT_KINDS && !QUIET_KINDS.includes(c.kind as AuditKind))
      .reverse();
    let sent = 0;
    for (const channel of this.channels) {
      const states = await this.deliveries.states(
        channel.name,
        changes.map((c) => c.changeId),
      );
      for (const change of changes) {
        if (this.poller.stopped) break;
        const state = states.get(change.changeId);
        if (state?.status === 'sent' || state?.status === 'abandoned') continue;
        if (state?.nextAttemptAt && state.nextAttemptAt > jstTimestamp(now)) continue;
        const attempt = (state?.attempts ?? 0) + 1;
        const messageId = randomUUID();
        const message = composeAuditAlert(toAuditAlertItem(change), messageId);
        let error = '';
        try {
          await channel.send(message);
        } catch (err) {
          error = (err as Error).message || String(err);
        }
        const outcome = attemptOutcome(this.config.alerts.retry, attempt, error, now.getTime());
        await this.deliveries.record([
          {
            findingId: change.changeId,
            channel: channel.name,
            attempt,
            at: jstTimestamp(this.clock.now()),
            messageId,
            digest: false,
            rule: `audit:${change.kind}`,
            severity: 'critical',
            recipients: channel.recipients,
            subject: message.subject,
            error,
            ...outcome,
          },
        ]);
        this.metrics.alertDeliveries.inc({ channel: channel.name, result: outcome.status });
        if (outcome.status === 'sent') sent++;
        else this.logger.warn(`${channel.name}: audit alert ${change.changeId} not sent: ${error}`);
      }
    }
    return sent;
  }
}
