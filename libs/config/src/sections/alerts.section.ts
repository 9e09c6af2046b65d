import { z } from 'zod';
import { SEVERITIES } from '@kansa/domain';

/** Alerts for findings of high/critical severity: e-mail (SMTP) and a JSON webhook. */
export const alertsSection = z
  .object({
    enabled: z.boolean().default(false),
    /** Findings of this severity or above are alerted. */
    minSeverity: z.enum(SEVERITIES).default('high'),
    /** How often the dispatcher looks for new findings, in seconds. */
    pollSeconds: z.number().int().min(1).default(30),
    /** Findings detected longer ago than this are not alerted (e.g. at first start on old data), in hours. */
    maxAgeHours: z.number().int().min(1).default(72),
    /** More findings than this due at once on a channel: one digest message instead of one each. */
    digestThreshold: z.number().int().min(1).default(5),
    retry: z
      .object({
        /** Delay before the first retry; doubled after each failure up to maxDelaySeconds. */
        initialDelaySeconds: z.number().int().min(1).default(30),
        maxDelaySeconds: z.number().int().min(1).default(3600),
        /** After this many failed attempts a delivery is given up (recorded, logged as an error). */
        maxAttempts: z.number().int().min(1).default(10),
      })
      .strict()
      .default({ initialDelaySeconds: 30, maxDelaySeconds: 3600, maxAttempts: 10 }),
    /** Where staff look the finding up, e.g. https://kansa.example.lg.jp — used in the message as a hint. */
    consoleUrl: z.string().default(''),
    email: z
      .object({
        enabled: z.boolean().default(false),
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(1).max(65535).default(25),
        /** true: TLS from the start (port 465); false: STARTTLS when offered. */
        secure: z.boolean().default(false),
        user: z.string().default(''),
        /** From the environment (KANSA_SMTP_PASSWORD), never from the file. */
        password: z.string().default(''),
        from: z.string().default('kansa@localhost'),
        to: z.array(z.string().min(3)).default([]),
        /** Accept a self-signed certificate of the municipal mail relay. */
        allowSelfSigned: z.boolean().default(false),
      })
      .strict()
      .default({
        enabled: false,
        host: '127.0.0.1',
        port: 25,
        secure: false,
        user: '',
        password: '',
        from: 'kansa@localhost',
        to: [],
        allowSelfSigned: false,
      }),
    /**
     * Changes to what decides detection, a failed verification, the clock
     * going backwards, a source's volume collapsing (docs/casework.md):
     * alerted to the 監査担当 — a list of its own, apart from the システム
     * 管理室's (the person who could hide misuse is often an administrator).
     * E-mail goes through the SMTP settings of `email`.
     */
    audit: z
      .object({
        email: z.array(z.string().min(3)).default([]),
        webhookUrl: z.string().default(''),
      })
      .strict()
      .default({ email: [], webhookUrl: '' }),
    webhook: z
      .object({
        enabled: z.boolean().default(false),
        url: z.string().default(''),
        /** Header carrying the shared secret, e.g. X-Kansa-Secret. */
        secretHeader: z.string().default('X-Kansa-Secret'),
        /** From the environment (KANSA_WEBHOOK_SECRET), never from the file. */
        secret: z.string().default(''),
        timeoutMs: z.number().int().min(100).default(10_000),
      })
      .strict()
      .default({ enabled: false, url: '', secretHeader: 'X-Kansa-Secret', secret: '', timeoutMs: 10_000 }),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.email.enabled && v.email.to.length === 0)
      ctx.addIssue({ code: 'custom', path: ['email', 'to'], message: 'at least one recipient when e-mail alerts are enabled' });
    if (v.webhook.enabled && !/^https?:\/\//.test(v.webhook.url))
      ctx.addIssue({ code: 'custom', path: ['webhook', 'url'], message: 'http(s) URL required when the webhook is enabled' });
  });

export type AlertsSettings = z.infer<typeof alertsSection>;
