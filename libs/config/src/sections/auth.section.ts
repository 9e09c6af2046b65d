import { z } from 'zod';

/**
 * People's accounts and sessions of the console (docs/console.md "Accounts
 * and sessions"). Machines keep API tokens (http.tokens).
 */
export const authSection = z
  .object({
    /** A session unused this long ends (idle timeout), in seconds. */
    sessionIdleSeconds: z
      .number()
      .int()
      .min(5)
      .default(30 * 60),
    /** A session ends this long after the log-in whatever its use (absolute timeout), in seconds. */
    sessionMaxSeconds: z
      .number()
      .int()
      .min(10)
      .default(12 * 3600),
    /** Consecutive failed log-ins of one account before it is locked. */
    maxFailedLogins: z.number().int().min(1).default(5),
    /** First lock, in seconds; each further failure doubles it, up to lockoutMaxSeconds. */
    lockoutSeconds: z.number().int().min(1).default(300),
    lockoutMaxSeconds: z.number().int().min(1).default(3600),
    /** Failed authentications (log-ins and API tokens) one address may make per minute; beyond: 429. */
    maxFailuresPerAddressPerMinute: z.number().int().min(1).default(30),
    /** Shortest password a person may choose. */
    passwordMinLength: z.number().int().min(8).default(12),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.sessionIdleSeconds > v.sessionMaxSeconds) {
      ctx.addIssue({ code: 'custom', path: ['sessionIdleSeconds'], message: `must not exceed sessionMaxSeconds (${v.sessionMaxSeconds})` });
    }
  });

export type AuthSettings = z.infer<typeof authSection>;
