import mqtt from 'mqtt';
import type { BrokerConfig } from '../config/sections/plant.js';
import { errMessage } from '../errors.js';
import { mqttOptions } from '../ingest/mqtt-options.js';
import { finding, type Finding } from './finding.js';

/** CONNACK codes that mean "wrong credentials": MQTT 3.1.1 §3.2.2.3 (4, 5) and MQTT 5 §3.2.2.2 (0x86, 0x87). */
const AUTH_CODES = new Set([4, 5, 0x86, 0x87]);

/** Strips user:password@ from a URL before it is printed. */
function safeUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * A real MQTT connect with the configured URL, TLS files and credentials and
 * a short timeout, then a clean disconnect. Tells "unreachable" from
 * "credentials rejected" from "TLS problem", each with its own fix.
 */
export async function checkBroker(id: string, label: string, broker: BrokerConfig, timeoutMs = 3000): Promise<Finding> {
  const url = safeUrl(broker.url);
  let opts: mqtt.IClientOptions;
  try {
    opts = mqttOptions(broker, 'edge-sentinel-doctor');
  } catch (err) {
    return finding(
      id,
      label,
      'fail',
      errMessage(err),
      'fix the file path in the broker section (passwordFile / tls.*) or its permissions for the agent user',
    );
  }
  const outcome = await new Promise<{ ok: true } | { ok: false; code?: string | number; message: string }>((resolve) => {
    const client = mqtt.connect(broker.url, { ...opts, reconnectPeriod: 0, connectTimeout: timeoutMs });
    const done = (r: { ok: true } | { ok: false; code?: string | number; message: string }) => {
      clearTimeout(timer);
      client.removeAllListeners();
      // Keep a listener so a late socket error after end() is not an unhandled 'error'.
      client.on('error', () => undefined);
      client.end(true);
      resolve(r);
    };
    // mqtt.js's connectTimeout does not cover every stall (e.g. a TLS handshake that never answers).
    const timer = setTimeout(() => done({ ok: false, code: 'ETIMEDOUT', message: `no CONNACK within ${timeoutMs} ms` }), timeoutMs + 500);
    client.once('connect', () => done({ ok: true }));
    client.once('error', (err: Error & { code?: string | number }) => done({ ok: false, code: err.code, message: err.message }));
    client.once('close', () => done({ ok: false, code: 'ECLOSED', message: 'connection closed before CONNACK' }));
  });
  const who = broker.username !== undefined ? ` as ${broker.username}` : ' (anonymous)';
  if (outcome.ok) return finding(id, label, 'ok', `connected to ${url}${who}`);
  const { code, message } = outcome;
  if (typeof code === 'number' && AUTH_CODES.has(code)) {
    return finding(
      id,
      label,
      'fail',
      `${url} refused the credentials${who}: ${message}`,
      'check username and password / passwordFile (and the broker ACL) for this client',
    );
  }
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return finding(
      id,
      label,
      'fail',
      `${url} unreachable: ${code}`,
      'check the broker URL, that the broker runs and listens on that interface, and the firewall between them',
    );
  }
  if (typeof code === 'string' && /CERT|SSL|TLS|SELF_SIGNED/i.test(code + message)) {
    return finding(
      id,
      label,
      'fail',
      `${url} TLS failed: ${message}`,
      'check tls.ca (the CA that signed the broker certificate), the host name in the URL, and the clock',
    );
  }
  return finding(
    id,
    label,
    'fail',
    `${url}: ${code ?? ''} ${message}`.replace(':  ', ': '),
    'check the broker URL, protocolVersion (4 for brokers without MQTT 5) and the broker log',
  );
}
