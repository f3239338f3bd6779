import { z } from 'zod';

export const tlsSchema = z
  .object({
    ca: z.string().optional().describe("PEM file of the CA that signed the broker's certificate."),
    cert: z.string().optional().describe('PEM client certificate and key files for mutual TLS.'),
    key: z.string().optional().describe('PEM private key file of the client certificate.'),
    rejectUnauthorized: z
      .boolean()
      .default(true)
      .describe('Refuse a broker whose certificate does not verify against the CA; turn off only for tests.'),
  })
  .strict();

export const brokerSchema = z
  .object({
    url: z
      .string()
      .regex(/^(mqtts?|wss?|tcp|ssl):\/\/.+/, 'must be a broker URL such as mqtt://127.0.0.1:1883')
      .default('mqtt://127.0.0.1:1883')
      .describe('Broker URL: mqtt://, mqtts:// (TLS), ws:// or wss://.'),
    clientId: z.string().optional().describe('MQTT client id; default: edge-sentinel-<pid>-<random> style, unique per process.'),
    protocolVersion: z
      .union([z.literal(4), z.literal(5)])
      .default(5)
      .describe('MQTT protocol version: 5 (default) or 4 (3.1.1, for brokers without v5 such as aedes).'),
    username: z.string().optional().describe('MQTT user name.'),
    password: z.string().optional().describe('Use ${ENV} substitution or passwordFile; never logged.'),
    passwordFile: z
      .string()
      .optional()
      .describe(
        'File holding the password (whitespace trimmed), used when password is not set: e.g. a systemd credential or Docker secret.',
      ),
    tls: tlsSchema.optional(),
    keepaliveS: z.number().int().min(0).default(30).describe('MQTT keepalive, seconds (0 = off).'),
    reconnectMs: z
      .number()
      .int()
      .min(100)
      .default(2000)
      .describe('First wait before a reconnect attempt, ms; each failed attempt doubles it (with jitter) up to reconnectMaxMs.'),
    reconnectMaxMs: z.number().int().min(100).default(60_000).describe('Longest wait between reconnect attempts, ms.'),
    noDelay: z
      .boolean()
      .default(true)
      .describe('Set TCP_NODELAY on the socket (mqtt.js does not): without it Nagle adds ~40 ms per message.'),
  })
  .strict();

export const jsonDecoderSchema = z
  .object({
    signals: z
      .record(z.string(), z.string())
      .optional()
      .describe('signal name → dotted field path in the payload, e.g. { temp: "data.temperature" }.'),
    valuePath: z.string().default('value').describe('Field path of the value when the topic names a single signal (default "value").'),
    timestampPath: z.string().optional().describe('Optional field path of a timestamp (ms epoch number, or ISO string).'),
  })
  .strict();

/** Sparkplug B host duties of one subscription (decoder "sparkplug"; docs/fleet.md). */
export const sparkplugIngestSchema = z
  .object({
    assetNaming: z
      .enum(['path', 'device'])
      .default('path')
      .describe(
        'Asset name of a Sparkplug device: "path" = {group}/{edge}/{device} (node metrics: {group}/{edge}), so equal device ids on different edge nodes stay apart; "device" = the device id alone (the edge node id for node metrics).',
      ),
    rebirth: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .describe('Ask an edge node to rebirth (NCMD Node Control/Rebirth) after a seq gap, an unknown alias or data before its birth.'),
        minIntervalS: z.number().min(1).default(10).describe('At most one rebirth request per edge node in this many seconds.'),
      })
      .strict()
      .prefault({})
      .describe('Rebirth requests on the plant broker.'),
  })
  .strict();

export const subscriptionSchema = z
  .object({
    topic: z.string().min(1).describe('Topic pattern; {asset} and {signal} capture one level each, + and # are MQTT wildcards.'),
    decoder: z
      .enum(['number', 'json', 'sparkplug'])
      .default('number')
      .describe('Payload format: a plain number, JSON (see json), or Sparkplug B protobuf.'),
    json: jsonDecoderSchema.optional().describe('Where the json decoder finds values and the timestamp.'),
    asset: z.string().optional().describe('Fixed asset name when the topic has no {asset} capture.'),
    signal: z.string().optional().describe('Fixed signal name when the topic has no {signal} capture (number decoder).'),
    sparkplug: sparkplugIngestSchema.optional().describe('Sparkplug B host duties (decoder "sparkplug"; defaults apply when absent).'),
    qos: z
      .union([z.literal(0), z.literal(1), z.literal(2)])
      .default(0)
      .describe('MQTT subscription QoS.'),
  })
  .strict();

export const plantSection = z
  .object({
    broker: brokerSchema.prefault({}),
    subscriptions: z
      .array(subscriptionSchema)
      .min(1)
      .default([{ topic: 'plant/{asset}/{signal}', decoder: 'number', qos: 0 }])
      .describe('Topics to read samples from; each maps a topic to an asset and its signals.'),
  })
  .strict();

export type BrokerConfig = z.infer<typeof brokerSchema>;
export type SubscriptionConfig = z.infer<typeof subscriptionSchema>;
