import { EdgeError } from '../errors.js';
import { collectFleet, renderFleet } from '../fleet/view.js';
import { args } from './args.js';

/**
 * `edge-sentinel fleet --url URL [--prefix P] [--wait-ms MS] [--json]`: every
 * agent under the prefix, from their retained status on the (central)
 * broker: online/offline, health, open alerts, versions, last command.
 */
export async function fleetCommand(argv: string[]): Promise<number> {
  const { values } = args(argv, {
    url: { type: 'string' },
    prefix: { type: 'string', default: 'edge-sentinel' },
    'wait-ms': { type: 'string', default: '1500' },
    json: { type: 'boolean', default: false },
  });
  if (!values.url) throw new EdgeError('E_USAGE', 'fleet: --url mqtt://central-broker:1883 is required');
  const wait = Number(values['wait-ms']);
  if (!(wait >= 0)) throw new EdgeError('E_USAGE', `fleet: --wait-ms must be a number of milliseconds (got ${values['wait-ms']})`);
  const { rows, invalid } = await collectFleet(values.url, values.prefix, wait);
  if (values.json) process.stdout.write(`${JSON.stringify({ agents: rows, invalid })}\n`);
  else {
    process.stdout.write(rows.length ? `${renderFleet(rows)}\n` : `no agent status under ${values.prefix}/ on ${values.url}\n`);
    if (invalid) process.stderr.write(`${invalid} retained message(s) under ${values.prefix}/ were not valid status or results\n`);
  }
  return 0;
}
