import { z } from 'zod';

/** The demo plant simulator and embedded broker (demo only). */
export const simSection = z
  .object({
    enabled: z.boolean().default(false).describe('Run the simulated plant (set by `edge-sentinel demo`).'),
    rateHz: z.number().positive().max(1000).default(10).describe('Samples per second per signal.'),
    embeddedBroker: z.boolean().default(false).describe('Start an embedded aedes broker (on embeddedPort) instead of using plant.broker.'),
    embeddedPort: z.number().int().min(0).max(65535).default(0).describe('Port of the embedded broker (0 = any free port).'),
    seed: z.number().int().default(42).describe("Seed of the simulator's random generator (repeatable runs)."),
    speed: z.number().positive().default(1).describe('Compress fault timelines by this factor (demo pacing).'),
  })
  .strict();
