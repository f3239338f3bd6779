import { z } from 'zod';

/** Local history in InfluxDB (owned by the history stage). Off unless a URL is set. */
export const historySection = z
  .object({
    url: z.string().url().optional(),
  })
  .strict();
