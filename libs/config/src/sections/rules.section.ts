import { z } from 'zod';

/**
 * Detection rules (libs/rules): parameter overrides per rule ID, checked
 * against each rule's own schema when the analyzer resolves them
 * (resolveRuleParams), and the approved external devices (external-media).
 */
export const rulesSection = z
  .object({
    /** e.g. { "mass-lookup": { threshold: 500 }, "log-gap": { sources: ["jumin", "atena"] } } */
    params: z.record(z.string().regex(/^[a-z]+(-[a-z]+)*$/, 'rule ID'), z.record(z.string(), z.unknown())).default({}),
    /** USB device instance IDs approved for writing; an entry ending in * approves every ID starting with it. */
    approvedDevices: z.array(z.string().min(1)).default([]),
    /**
     * Rules not run (their IDs). Disabling a rule is a change to what decides
     * detection: it is recorded in the audit trail and alerted to the 監査担当.
     */
    disabled: z.array(z.string().regex(/^[a-z]+(-[a-z]+)*$/, 'rule ID')).default([]),
  })
  .strict();

export type RulesSettings = z.infer<typeof rulesSection>;
