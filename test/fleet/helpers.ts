/** Shared bits of the fleet tests: a paced plant publisher, a result collector, signing and publishing bundles. */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { signBundle, type BundlePayload } from '../../agent/fleet/bundle.js';
import { generateSigningKey } from '../../agent/fleet/keys.js';
import type { CommandResult } from '../../agent/fleet/result.js';
import { gauss, rng } from '../../agent/sim/random.js';
import { waitFor } from '../helpers/wait.js';

export const BROKER = 'mqtt://127.0.0.1:1883';

/** Publishes `<prefix>/plant/<asset>/<signal>` numbers (normal noise) at `hz` until stopped. */
export async function plantPublisher(prefix: string, asset: string, signals: string[], hz: number): Promise<{ stop(): Promise<void> }> {
  const client = await mqtt.connectAsync(BROKER, { protocolVersion: 4 });
  const u = rng(7);
  const timer = setInterval(() => {
    signals.forEach((s, i) => client.publish(`${prefix}/plant/${asset}/${s}`, (10 * (i + 1) + 0.3 * gauss(u)).toFixed(4)));
  }, 1000 / hz);
  return {
    async stop() {
      clearInterval(timer);
      await client.endAsync();
    },
  };
}

/** Collects every command result and status under `prefix`. */
export async function fleetListener(prefix: string): Promise<{
  results: CommandResult[];
  statuses: Array<Record<string, unknown>>;
  next(pred: (r: CommandResult) => boolean, ms?: number): Promise<CommandResult>;
  client: MqttClient;
  stop(): Promise<void>;
}> {
  const client = await mqtt.connectAsync(BROKER, { protocolVersion: 4 });
  const results: CommandResult[] = [];
  const statuses: Array<Record<string, unknown>> = [];
  client.on('message', (topic, payload) => {
    if (payload.length === 0) return;
    if (topic.endsWith('/cmd/result')) results.push(JSON.parse(payload.toString()) as CommandResult);
    else if (topic.endsWith('/status')) statuses.push(JSON.parse(payload.toString()) as Record<string, unknown>);
  });
  await client.subscribeAsync([`${prefix}/+/+/cmd/result`, `${prefix}/+/status`], { qos: 1 });
  let seen = 0;
  return {
    results,
    statuses,
    client,
    /** The next result after those already consumed that matches `pred`. */
    async next(pred, ms = 30_000) {
      let hit: CommandResult | undefined;
      await waitFor(
        () => {
          const i = results.slice(seen).findIndex(pred);
          if (i < 0) return false;
          seen += i + 1;
          hit = results[seen - 1];
          return true;
        },
        ms,
        'a matching command result',
      );
      return hit!;
    },
    async stop() {
      await client.endAsync();
    },
  };
}

/** A signer with a fresh key: makes envelopes for one agent. */
export function signer(site: string, agent: string, keyId = 'ops') {
  const k = generateSigningKey();
  const key = createPrivateKey(k.privatePem);
  const header = (version: number) => ({ v: 1 as const, site, agent, version, issuedAt: new Date().toISOString() });
  return {
    trusted: { id: keyId, publicKey: k.publicKey },
    config: (version: number, config: Record<string, unknown>) => signBundle({ ...header(version), kind: 'config', config }, key, keyId),
    model: (version: number, cardPath: string) => {
      const card = JSON.parse(readFileSync(cardPath, 'utf8')) as Record<string, unknown>;
      const onnx = readFileSync(new URL(String(card['file']), `file://${cardPath}`)).toString('base64');
      return signBundle({ ...header(version), kind: 'model', model: { card, onnx } } as BundlePayload, key, keyId);
    },
  };
}

/** Audit lines of a JSON-lines file. */
export function readJsonl(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
