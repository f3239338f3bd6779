import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { BrokerConfig } from '../config/sections/plant.js';
import { resolveSecret } from '../config/secret.js';
import { EdgeError } from '../errors.js';

/** mqtt.js options for a configured broker (credentials and TLS files read here, never logged). */
export function mqttOptions(b: BrokerConfig, clientIdPrefix: string): IClientOptions {
  const read = (f: string | undefined, what: string): Buffer | undefined => {
    if (!f) return undefined;
    try {
      return readFileSync(f);
    } catch (err) {
      throw new EdgeError('E_CONFIG_FILE', `cannot read TLS ${what} file ${f}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  };
  const opts: IClientOptions = {
    protocolVersion: b.protocolVersion,
    clientId: b.clientId ?? `${clientIdPrefix}-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    keepalive: b.keepaliveS,
    reconnectPeriod: b.reconnectMs,
    connectTimeout: 10_000,
    clean: true,
  };
  if (b.username !== undefined) opts.username = b.username;
  const pw = resolveSecret(b.password, b.passwordFile);
  if (pw !== undefined) opts.password = pw;
  if (b.tls) {
    const ca = read(b.tls.ca, 'CA');
    const cert = read(b.tls.cert, 'certificate');
    const key = read(b.tls.key, 'key');
    if (ca) opts.ca = ca;
    if (cert) opts.cert = cert;
    if (key) opts.key = key;
    opts.rejectUnauthorized = b.tls.rejectUnauthorized;
  }
  return opts;
}

/**
 * mqtt.js leaves Nagle's algorithm on; with it, small publishes wait up to
 * ~40 ms for an ACK (see ANCHORS.md). Call on every 'connect'.
 */
export function setNoDelay(client: MqttClient): void {
  const s = client.stream as unknown as Partial<Socket> | undefined;
  if (s && typeof s.setNoDelay === 'function') s.setNoDelay(true);
}

/** A broker URL without its credentials (user:password@), for logs, health and the audit log. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}
