import { z } from 'zod';
import { configSchema } from './schema.js';

/** The config's JSON Schema, generated from the zod schema (for editor completion). */
export function configJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...s, $id: 'https://edge-sentinel.dev/schema/config.json', title: 'edge-sentinel configuration' };
}
