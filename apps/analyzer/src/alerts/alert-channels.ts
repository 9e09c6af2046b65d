import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { createTransport, Transporter } from 'nodemailer';
import type { AlertChannelName } from './alert-deliveries.repository';
import type { AlertMessage } from './alert-message.mapper';

/** One way to send alerts. `send` throws when the message was not accepted (retried later). */
export interface AlertChannel {
  readonly name: AlertChannelName;
  readonly enabled: boolean;
  /** Who receives it, as recorded in alert_deliveries. */
  readonly recipients: string;
  send(message: AlertMessage): Promise<void>;
}

/** Other recipients than the channel's own (the 監査担当's list, alerts.audit), reached the same way. */
export interface AlertRecipients {
  email: string[];
  webhookUrl: string;
}

/** E-mail through the municipal SMTP relay (nodemailer). */
@Injectable()
export class EmailChannel implements AlertChannel, OnModuleDestroy {
  readonly name = 'email' as const;
  private transporter?: Transporter;

  constructor(@Inject(KANSA_CONFIG) private readonly config: KansaConfig) {}

  get enabled(): boolean {
    return this.config.alerts.enabled && this.config.alerts.email.enabled;
  }

  get recipients(): string {
    return this.config.alerts.email.to.join(', ');
  }

  async send(message: AlertMessage): Promise<void> {
    await this.sendTo(message, this.config.alerts.email.to);
  }

  /** This channel's server, to other recipients. */
  to(recipients: AlertRecipients): AlertChannel {
    return {
      name: this.name,
      enabled: recipients.email.length > 0,
      recipients: recipients.email.join(', '),
      send: (m) => this.sendTo(m, recipients.email),
    };
  }

  private async sendTo(message: AlertMessage, to: string[]): Promise<void> {
    const mail = this.config.alerts.email;
    this.transporter ??= createTransport({
      host: mail.host,
      port: mail.port,
      secure: mail.secure,
      auth: mail.user ? { user: mail.user, pass: mail.password } : undefined,
      tls: { rejectUnauthorized: !mail.allowSelfSigned },
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 30_000,
    });
    const info = await this.transporter.sendMail({ from: mail.from, to, subject: message.subject, text: message.text });
    const rejected = info.rejected ?? [];
    if (rejected.length > 0) throw new Error(`rejected by the SMTP server: ${rejected.join(', ')}`);
  }

  onModuleDestroy(): void {
    this.transporter?.close();
  }
}

/** A generic JSON webhook (chat tools, the SOC's ticketing). */
@Injectable()
export class WebhookChannel implements AlertChannel {
  readonly name = 'webhook' as const;

  constructor(@Inject(KANSA_CONFIG) private readonly config: KansaConfig) {}

  get enabled(): boolean {
    return this.config.alerts.enabled && this.config.alerts.webhook.enabled;
  }

  get recipients(): string {
    return this.config.alerts.webhook.url;
  }

  async send(message: AlertMessage): Promise<void> {
    await this.sendTo(message, this.config.alerts.webhook.url);
  }

  /** The webhook's settings (secret, timeout), to another URL. */
  to(recipients: AlertRecipients): AlertChannel {
    const url = recipients.webhookUrl;
    return { name: this.name, enabled: /^https?:\/\//.test(url), recipients: url, send: (m) => this.sendTo(m, url) };
  }

  private async sendTo(message: AlertMessage, url: string): Promise<void> {
    const hook = this.config.alerts.webhook;
    const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8' };
    if (hook.secret) headers[hook.secretHeader] = hook.secret;
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...message.json, subject: message.subject, text: message.text }),
      signal: AbortSignal.timeout(hook.timeoutMs),
    });
    if (!res.ok) throw new Error(`webhook answered ${res.status} ${res.statusText}`);
    await res.arrayBuffer();
  }
}
