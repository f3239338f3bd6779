import { z } from 'zod';

/** The demo plant simulator and embedded broker (demo only). */
export const simSection = z
  .object({
    enabled: z.boolean().default(false),
    /** Samples per second per signal. */
    rateHz: z.number().positive().max(1000).default(10),
    /** Start an embedded aedes broker on this port (0 = any free port) instead of using plant.broker. */
    embeddedBroker: z.boolean().default(false),
    embeddedPort: z.number().int().min(0).max(65535).default(0),
    /** Seed of the simulator's random generator (repeatable runs). */
    seed: z.number().int().default(42),
    /** Compress fault timelines by this factor (demo pacing). */
    speed: z.number().positive().default(1),
  })
  .strict();
