import { z } from 'zod';

/** Five-field cron expression (minute hour day month weekday), evaluated in Asia/Tokyo. */
const cron = z.string().regex(/^\S+(\s+\S+){4,5}$/, 'cron expression, e.g. "30 1 * * *"');

/**
 * Casework (docs/casework.md): approved exceptions, cases per person and
 * repeat patterns, and the watch over the audit itself.
 */
export const caseworkSection = z
  .object({
    exceptions: z
      .object({
        /** The longest an approved exception may run, in days (both ends included). */
        maxDays: z.number().int().min(1).max(366).default(90),
        /** Exceptions ending within this many days are listed on every run and in the report. */
        expiringWithinDays: z.number().int().min(1).max(90).default(14),
      })
      .strict()
      .default({ maxDays: 90, expiringWithinDays: 14 }),
    repeat: z
      .object({
        /** 継続監視対象: findings in at least `months` of the last `window` months … */
        months: z.number().int().min(2).max(12).default(3),
        window: z.number().int().min(2).max(24).default(6),
        /** … or findings of at least this many different rules in one month. */
        rulesInMonth: z.number().int().min(2).max(14).default(2),
      })
      .strict()
      .default({ months: 3, window: 6, rulesInMonth: 2 }),
    watch: z
      .object({
        /** When the service checks the audit itself (verify, log volumes), JST. */
        cron: cron.default('30 1 * * *'),
        /**
         * The nightly verification recomputes the stored content of the batches
         * imported in the last this many days (today included); 0: of every batch
         * (the default). The chains are always walked whole. For sites whose
         * history makes a whole verification long (docs/casework.md).
         */
        verifyContentDays: z.number().int().min(0).default(0),
        /**
         * With verifyContentDays, the batches imported before those days are
         * recomputed in turns: one part of this many each night (by their first
         * event day), so that every batch's content is checked once in this many
         * nights the watch runs; 0: older content is left to a whole `kansa verify`.
         */
        verifyOlderNights: z.number().int().min(0).max(366).default(0),
        /** When the service reads its clock (often: a jump back shorter than the time between readings would go unseen). */
        clockCron: cron.default('*/5 * * * *'),
        /** kansa's clock is taken to have gone backwards when it reads this many minutes before a time it already saw. */
        clockToleranceMinutes: z.number().int().min(1).default(5),
        /** A source's events on a business day fewer than the median of the same weekday's previous weeks divided by this … */
        volumeDropFactor: z.number().min(1.5).default(4),
        /** … over this many previous weeks … */
        volumeWeeks: z.number().int().min(2).max(12).default(4),
        /** … when that median is at least this (quiet sources are left to log-gap). */
        volumeMinimum: z.number().int().min(1).default(100),
      })
      .strict()
      .refine((w) => w.verifyOlderNights === 0 || w.verifyContentDays > 0, {
        path: ['verifyOlderNights'],
        message: 'needs verifyContentDays ≥ 1 (without it every batch is recomputed every night)',
      })
      .default({
        cron: '30 1 * * *',
        verifyContentDays: 0,
        verifyOlderNights: 0,
        clockCron: '*/5 * * * *',
        clockToleranceMinutes: 5,
        volumeDropFactor: 4,
        volumeWeeks: 4,
        volumeMinimum: 100,
      }),
  })
  .strict();

export type CaseworkSettings = z.infer<typeof caseworkSection>;
