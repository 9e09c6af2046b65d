import { z } from 'zod';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date as YYYY-MM-DD');
/** Five-field cron expression (minute hour day month weekday), evaluated in Asia/Tokyo. */
const cron = z.string().regex(/^\S+(\s+\S+){4,5}$/, 'cron expression, e.g. "*/5 * * * *"');

/** Scheduling of the analyzer in service mode (`kansa serve`). */
export const analyzerSection = z
  .object({
    /** Frequent run over today-so-far for the alerting rules (JST). */
    incrementalCron: cron.default('*/5 * * * *'),
    /** Daily run: the previous day, plus every day that is due (missed or changed). */
    dailyCron: cron.default('0 1 * * *'),
    /** Rules run by the incremental run (the rest wait for the whole day). */
    incrementalRules: z
      .array(z.string())
      .default([
        'absentee-activity',
        'login-failures',
        'watchlist-access',
        'self-lookup',
        'concurrent-sessions',
        'external-media',
        'mass-output',
        'mass-lookup',
      ]),
    /**
     * Preparation ahead (JST; empty: off): the rules' prepared days — the
     * classification of every access (docs/explanations.md) — are brought
     * up to date for the batches stored since the previous pass, so that
     * analyses find them done.
     */
    prepareAheadCron: z.union([cron, z.literal('')]).default('* * * * *'),
    /** First day catch-up considers; empty: the first day with events. */
    catchUpFrom: z.union([day, z.literal('')]).default(''),
    /** Analyse every missed or changed day when the service starts. */
    catchUpOnStart: z.boolean().default(true),
  })
  .strict();

export type AnalyzerSettings = z.infer<typeof analyzerSection>;
