import { EdgeError } from '../errors.js';
import { args } from './args.js';

/** `edge-sentinel refit ASSET [--url URL]`: asks the running agent to relearn an asset's baseline. */
export async function refitCommand(argv: string[]): Promise<number> {
  const { values, positionals } = args(argv, { url: { type: 'string', default: 'http://127.0.0.1:9464' } }, true);
  const asset = positionals[0];
  if (!asset) throw new EdgeError('E_USAGE', 'refit needs an ASSET');
  let res: Response;
  try {
    res = await fetch(`${values.url}/assets/${encodeURIComponent(asset)}/refit`, { method: 'POST' });
  } catch (err) {
    process.stderr.write(`cannot reach the agent at ${values.url}: ${(err as Error).message} (is it running? is observe.http enabled?)\n`);
    return 1;
  }
  const body = await res.text();
  if (res.status === 202) {
    process.stdout.write(`${asset}: baseline dropped; learning again from the next sample\n`);
    return 0;
  }
  process.stderr.write(`${asset}: ${res.status} ${body}\n`);
  return 1;
}
