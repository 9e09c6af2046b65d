import { Module } from '@nestjs/common';
import { AnalyzerModule } from '../analyzer.module';
import { EmailChannel, WebhookChannel } from './alert-channels';
import { AlertDeliveriesRepository } from './alert-deliveries.repository';
import { AlertDispatcher } from './alert-dispatcher.service';
import { AuditAlertDispatcher } from './audit-alert-dispatcher.service';

/**
 * Alerts by e-mail and webhook for high/critical findings, and for the
 * audit trail's changes to the 監査担当. Imported only by
 * the service (`kansa serve`, the analyzer entry): plain CLI commands never poll.
 */
@Module({
  imports: [AnalyzerModule],
  providers: [AlertDeliveriesRepository, EmailChannel, WebhookChannel, AlertDispatcher, AuditAlertDispatcher],
  exports: [AlertDispatcher, AuditAlertDispatcher, AlertDeliveriesRepository],
})
export class AlertsModule {}
