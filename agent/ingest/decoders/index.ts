import { sparkplugIngestSchema, type SubscriptionConfig } from '../../config/sections/plant.js';
import { JsonDecoder } from './json.js';
import { NumberDecoder } from './number.js';
import { SparkplugDecoder, type DecoderEnv } from './sparkplug.js';
import type { Decoder } from './types.js';

export { DecodeError, type Decoder, type DecodeContext, type SampleEmitter } from './types.js';
export { JsonDecoder, NumberDecoder, SparkplugDecoder, type DecoderEnv };

/** The decoder a subscription asks for; `env` is what a Sparkplug host needs of the source (plant broker, counters, log). */
export function decoderFor(sub: SubscriptionConfig, env: DecoderEnv): Decoder {
  switch (sub.decoder) {
    case 'number':
      return new NumberDecoder();
    case 'json':
      return new JsonDecoder({
        signals: sub.json?.signals,
        valuePath: sub.json?.valuePath ?? 'value',
        timestampPath: sub.json?.timestampPath,
      });
    case 'sparkplug':
      return new SparkplugDecoder(sub.sparkplug ?? sparkplugIngestSchema.parse({}), env);
  }
}
