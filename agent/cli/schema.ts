import { configJsonSchema } from '../config/jsonschema.js';
import { args } from './args.js';

/** `edge-sentinel schema [--alert]`: prints a JSON Schema. */
export async function schemaCommand(argv: string[]): Promise<number> {
  const { values } = args(argv, { alert: { type: 'boolean', default: false } });
  let schema: unknown;
  if (values.alert) {
    const mod = (await import('../alerts/schema.js')) as { alertJsonSchema(): unknown };
    schema = mod.alertJsonSchema();
  } else schema = configJsonSchema();
  process.stdout.write(JSON.stringify(schema, null, 2) + '\n');
  return 0;
}
