import { z } from 'zod';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time as HH:MM');

/** Business hours (spec/rules.md): 08:30–17:15 with 30 minutes' grace either side. */
export const calendarSection = z
  .object({
    businessHours: z
      .object({
        start: hhmm.default('08:30'),
        end: hhmm.default('17:15'),
        graceBeforeMinutes: z.number().int().min(0).max(240).default(30),
        graceAfterMinutes: z.number().int().min(0).max(240).default(30),
        /** Per-department hours, keyed by 所属コード, e.g. { "100200": { start: "07:00", end: "20:00" } }. */
        departments: z.record(z.string().regex(/^\d{6}$/), z.object({ start: hhmm, end: hhmm }).strict()).default({}),
      })
      .strict()
      .default({ start: '08:30', end: '17:15', graceBeforeMinutes: 30, graceAfterMinutes: 30, departments: {} }),
  })
  .strict();

export type BusinessHours = z.infer<typeof calendarSection>['businessHours'];
