import { z } from 'zod';

export const observeSection = z
  .object({
    http: z
      .object({
        enabled: z.boolean().default(true).describe('Serve /metrics, /healthz and the status page.'),
        host: z.string().default('127.0.0.1').describe('Bind address; 127.0.0.1 by default so metrics never leave the box unless asked.'),
        port: z.number().int().min(0).max(65535).default(9464).describe('TCP port (0 = any free port, printed in the log).'),
      })
      .strict()
      .prefault({}),
  })
  .strict();
