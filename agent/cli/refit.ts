import { loadConfigFile, resolveSecret } from '../config/load.js';
import { isLoopback } from '../config/checks.js';
import { EdgeError } from '../errors.js';
import { args } from './args.js';

/** Environment variable the refit command reads the token from (when neither --token nor --config gives one). */
export const TOKEN_ENV = 'EDGE_SENTINEL_HTTP_TOKEN';

/**
 * `edge-sentinel refit ASSET [--url URL] [--config FILE] [--token T]`: asks
 * the running agent to relearn an asset's baseline. The route needs the
 * agent's observe.http.token: from --token, else $EDGE_SENTINEL_HTTP_TOKEN,
 * else the config file's token/tokenFile (which also gives the URL).
 */
export async function refitCommand(argv: string[]): Promise<number> {
  const { values, positionals } = args(
    argv,
    { url: { type: 'string' }, config: { type: 'string', short: 'c' }, token: { type: 'string' } },
    true,
  );
  const asset = positionals[0];
  if (!asset) throw new EdgeError('E_USAGE', 'refit needs an ASSET');
  const http = values.config ? loadConfigFile(values.config).observe.http : undefined;
  const host = http && !['0.0.0.0', '::'].includes(http.host) ? http.host : '127.0.0.1';
  const url = values.url ?? (http ? `http://${host.includes(':') ? `[${host}]` : host}:${http.port}` : 'http://127.0.0.1:9464');
  const token = values.token ?? process.env[TOKEN_ENV] ?? (http ? resolveSecret(http.token, http.tokenFile) : undefined);
  if (token && !isLoopback(new URL(url).hostname) && new URL(url).protocol !== 'https:')
    process.stderr.write(`warning: sending the token in clear text to ${url}\n`);
  let res: Response;
  try {
    res = await fetch(`${url}/assets/${encodeURIComponent(asset)}/refit`, {
      method: 'POST',
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  } catch (err) {
    process.stderr.write(`cannot reach the agent at ${url}: ${(err as Error).message} (is it running? is observe.http enabled?)\n`);
    return 1;
  }
  const body = await res.text();
  if (res.status === 202) {
    process.stdout.write(`${asset}: baseline dropped; learning again from the next sample\n`);
    return 0;
  }
  const hint =
    res.status === 401
      ? ` (pass the agent's observe.http.token: --token, $${TOKEN_ENV} or --config FILE)`
      : res.status === 403
        ? ' (the agent has no observe.http.token: write routes are off)'
        : '';
  process.stderr.write(`${asset}: ${res.status} ${body}${hint}\n`);
  return 1;
}
