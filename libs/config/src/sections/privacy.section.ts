import { z } from 'zod';

export const privacySection = z
  .object({
    /**
     * Key for the keyed hash (HMAC-SHA256) of masked 個人番号. From the
     * environment (KANSA_HMAC_KEY) or a key file (KANSA_HMAC_KEY_FILE); empty
     * means masked numbers are not hashed at all.
     */
    hmacKey: z.string().default(''),
    hmacKeyFile: z.string().default(''),
  })
  .strict();
