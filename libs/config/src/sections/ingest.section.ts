import { isValidDay } from '@kansa/calendar/business-calendar';
import { z } from 'zod';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** How the collector takes in and commits logs (docs/collector.md). */
export const ingestSection = z
  .object({
    /**
     * Lines per batch: a long file or record stream is committed in batches
     * of this size, each its own import_batches row (bounds the engine's
     * memory at the commit). Env KANSA_INGEST_BATCH_LINES.
     */
    batchLines: z.number().int().min(1).max(10_000_000).default(100_000),
    /**
     * Event times before this day (JST) are not taken for real: the line is
     * quarantined naming the time field. Nothing is ever clamped.
     */
    plausibleFrom: z.string().regex(DAY, 'YYYY-MM-DD').default('2000-01-01'),
    /** … nor times more than this many days after the moment of import. */
    plausibleAheadDays: z.number().int().min(0).max(366).default(1),
    /**
     * A commit that ClickHouse refuses for a reason that may pass (memory,
     * overload, timeouts) is tried this many more times before the lines
     * that cause it are isolated or the batch is set aside.
     */
    commitRetries: z.number().int().min(0).max(10).default(2),
    /** Failed attempts allowed while isolating the lines a batch's commit fails on; beyond, the batch is set aside whole. */
    isolationAttempts: z.number().int().min(1).max(1000).default(64),
    /** Fault-test hooks; 0 everywhere in production. */
    faults: z
      .object({
        /** SIGKILL the process right after the events insert of the n-th commit (env KANSA_FAULT_KILL_AFTER_EVENTS_INSERT). */
        killAfterEventsInsert: z.number().int().min(0).default(0),
      })
      .strict()
      .default({ killAfterEventsInsert: 0 }),
  })
  .strict()
  .refine((s) => isValidDay(s.plausibleFrom), { path: ['plausibleFrom'], message: 'not a calendar date' });

export type IngestSettings = z.infer<typeof ingestSection>;
