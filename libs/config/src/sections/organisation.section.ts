import { z } from 'zod';

export const organisationSection = z
  .object({
    /** The organisation's name on the report's cover and page headers, e.g. 川辺市; '' until the site sets it (the report says so). */
    name: z.string().default(''),
    /** Department that runs kansa, e.g. 情報政策課 システム管理室. */
    office: z.string().default('システム管理室'),
  })
  .strict();
