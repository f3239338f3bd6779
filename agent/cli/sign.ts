import { readFileSync, writeFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { parse as parseYaml } from 'yaml';
import { loadCard } from '../detect/card.js';
import { EdgeError, errMessage } from '../errors.js';
import { signBundle, type BundlePayload } from '../fleet/bundle.js';
import { commandTopic } from '../fleet/channel.js';
import { readPrivateKey } from '../fleet/keys.js';
import { args } from './args.js';

/**
 * `edge-sentinel sign --key FILE --key-id ID --site S --agent A --version N
 *  (--config FILE | --model CARD.json) [--out FILE] [--publish URL [--prefix P]]`:
 * a signed bundle for one agent, written to a file or stdout, or published
 * retained on the agent's command topic.
 */
export async function signCommand(argv: string[]): Promise<number> {
  const { values } = args(argv, {
    key: { type: 'string' },
    'key-id': { type: 'string' },
    site: { type: 'string' },
    agent: { type: 'string' },
    version: { type: 'string' },
    config: { type: 'string' },
    model: { type: 'string' },
    out: { type: 'string' },
    publish: { type: 'string' },
    prefix: { type: 'string', default: 'edge-sentinel' },
  });
  const need = (name: string, v: string | undefined): string => {
    if (!v) throw new EdgeError('E_USAGE', `sign: --${name} is required`);
    return v;
  };
  const key = readPrivateKey(need('key', values.key));
  const version = Number(need('version', values.version));
  if (!Number.isSafeInteger(version) || version < 1)
    throw new EdgeError('E_USAGE', `sign: --version must be a whole number >= 1 (got ${values.version})`);
  if (!!values.config === !!values.model) throw new EdgeError('E_USAGE', 'sign: give exactly one of --config FILE or --model CARD.json');
  const header = {
    v: 1 as const,
    site: need('site', values.site),
    agent: need('agent', values.agent),
    version,
    issuedAt: new Date().toISOString(),
  };
  let payload: BundlePayload;
  if (values.config) {
    payload = { ...header, kind: 'config', config: readConfigObject(values.config) };
  } else {
    // The card is checked here as the agent will check it (schema, sha256 of the file it names).
    const card = loadCard(values.model!);
    const { path: _p, dir: _d, bytes, ...cardJson } = card;
    payload = { ...header, kind: 'model', model: { card: cardJson, onnx: bytes.toString('base64') } };
  }
  const envelope = signBundle(payload, key, need('key-id', values['key-id']));
  if (values.publish) {
    const topic = commandTopic(values.prefix, header.site, header.agent, payload.kind);
    const client = await mqtt.connectAsync(values.publish, { protocolVersion: 4, reconnectPeriod: 0 });
    try {
      await client.publishAsync(topic, envelope, { qos: 1, retain: true });
    } finally {
      await client.endAsync();
    }
    process.stderr.write(`published ${payload.kind} v${version} (${envelope.length} bytes) retained on ${topic}\n`);
  }
  if (values.out) writeFileSync(values.out, envelope);
  else if (!values.publish) process.stdout.write(`${envelope}\n`);
  return 0;
}

/** A config file (YAML or JSON) as an object; ${ENV} stays as written and is resolved on each agent. */
function readConfigObject(file: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new EdgeError('E_CONFIG_FILE', `cannot read config ${file}: ${errMessage(err)}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new EdgeError('E_CONFIG_FILE', `${file}: a config is a mapping at the top level`);
  return doc as Record<string, unknown>;
}
