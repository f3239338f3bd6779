import { z } from 'zod';

export const observeSection = z
  .object({
    http: z
      .object({
        enabled: z.boolean().default(true),
        /** Bind address; 127.0.0.1 by default so metrics never leave the box unless asked. */
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(9464),
      })
      .strict()
      .prefault({}),
  })
  .strict();
