import { DecodeError, type DecodeContext, type Decoder, type SampleEmitter } from './types.js';

/** Plain numeric text such as `12.5` (whitespace allowed around it): one signal per message, so no scan boundary. */
export class NumberDecoder implements Decoder {
  decode(payload: Buffer, ctx: DecodeContext, emit: SampleEmitter): void {
    if (ctx.asset === undefined || ctx.signal === undefined) throw new DecodeError('unmapped', 'no asset/signal for numeric payload');
    const text = payload.toString('latin1');
    const v = text.trim() === '' ? NaN : Number(text);
    if (!Number.isFinite(v)) throw new DecodeError('not_a_number', `payload is not a finite number: ${JSON.stringify(text.slice(0, 40))}`);
    emit.sample(ctx.asset, ctx.signal, v, ctx.arrivalMs);
  }
}
