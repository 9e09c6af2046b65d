import { z } from 'zod';

export const organisationSection = z
  .object({
    /** Shown on the report cover, e.g. 〇〇市. */
    name: z.string().default('〇〇市'),
    /** Department that runs kansa, e.g. 情報政策課 システム管理室. */
    office: z.string().default('システム管理室'),
  })
  .strict();
