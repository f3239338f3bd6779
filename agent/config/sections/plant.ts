import { z } from 'zod';

export const tlsSchema = z
  .object({
    /** PEM file of the CA that signed the broker's certificate. */
    ca: z.string().optional(),
    /** PEM client certificate and key files for mutual TLS. */
    cert: z.string().optional(),
    key: z.string().optional(),
    rejectUnauthorized: z.boolean().default(true),
  })
  .strict();

export const brokerSchema = z
  .object({
    url: z
      .string()
      .regex(/^(mqtts?|wss?|tcp|ssl):\/\/.+/, 'must be a broker URL such as mqtt://127.0.0.1:1883')
      .default('mqtt://127.0.0.1:1883'),
    clientId: z.string().optional(),
    /** MQTT protocol version: 5 (default) or 4 (3.1.1, for brokers without v5 such as aedes). */
    protocolVersion: z.union([z.literal(4), z.literal(5)]).default(5),
    username: z.string().optional(),
    /** Use ${ENV} substitution or passwordFile; never logged. */
    password: z.string().optional(),
    passwordFile: z.string().optional(),
    tls: tlsSchema.optional(),
    keepaliveS: z.number().int().min(0).default(30),
    reconnectMs: z.number().int().min(100).default(2000),
    /** Set TCP_NODELAY on the socket (mqtt.js does not): without it Nagle adds ~40 ms per message. */
    noDelay: z.boolean().default(true),
  })
  .strict();

export const jsonDecoderSchema = z
  .object({
    /** signal name → dotted field path in the payload, e.g. { temp: "data.temperature" }. */
    signals: z.record(z.string(), z.string()).optional(),
    /** Field path of the value when the topic names a single signal (default "value"). */
    valuePath: z.string().default('value'),
    /** Optional field path of a timestamp (ms epoch number, or ISO string). */
    timestampPath: z.string().optional(),
  })
  .strict();

export const subscriptionSchema = z
  .object({
    /** Topic pattern; {asset} and {signal} capture one level each, + and # are MQTT wildcards. */
    topic: z.string().min(1),
    decoder: z.enum(['number', 'json', 'sparkplug']).default('number'),
    json: jsonDecoderSchema.optional(),
    /** Fixed asset name when the topic has no {asset} capture. */
    asset: z.string().optional(),
    /** Fixed signal name when the topic has no {signal} capture (number decoder). */
    signal: z.string().optional(),
    qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(0),
  })
  .strict();

export const plantSection = z
  .object({
    broker: brokerSchema.prefault({}),
    subscriptions: z
      .array(subscriptionSchema)
      .min(1)
      .default([{ topic: 'plant/{asset}/{signal}', decoder: 'number', qos: 0 }]),
  })
  .strict();

export type BrokerConfig = z.infer<typeof brokerSchema>;
export type SubscriptionConfig = z.infer<typeof subscriptionSchema>;
